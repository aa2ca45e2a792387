/**
 * Options shared by the inference hot paths. The body schema is documentation only: the codec
 * validates the body against the model's signature, once, naming the tensor at fault; an Ajv pass
 * over every tensor element first would double the work and word the errors worse. Responses are
 * plain JSON.stringify, which for arrays of numbers beats a compiled serializer.
 */
export const HOT_PATH = {
  validatorCompiler: () => () => true,
  serializerCompiler: () => (data: unknown) => JSON.stringify(data),
} as const

/** Inference reads models: a reader token may call it, though it is a POST. */
export const READ_ACCESS = { access: 'read' } as const

/** Probes come from load balancers and kubelets, which carry no token. */
export const PUBLIC_ACCESS = { access: 'public' } as const
