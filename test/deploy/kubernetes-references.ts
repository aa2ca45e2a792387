import type { K8sObject } from './manifest-schemas.js'

/**
 * Cross-object checks the per-kind schemas cannot make: each returns what is wrong, one line per
 * problem, so a test shows every broken reference at once.
 */
export function referenceProblems(objects: K8sObject[]): string[] {
  return [
    ...serviceSelectorProblems(objects),
    ...probePortProblems(objects),
    ...ingressBackendProblems(objects),
    ...autoscalerTargetProblems(objects),
    ...disruptionBudgetProblems(objects),
    ...envFromProblems(objects),
  ]
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind)
}

export function named(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name)
}

export function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const pairs = Object.entries(selector ?? {})
  return pairs.length > 0 && pairs.every(([k, v]) => labels?.[k] === v)
}

export function podLabels(deployment: K8sObject): Record<string, string> {
  return deployment.spec?.template?.metadata?.labels ?? {}
}

export function containers(deployment: K8sObject): any[] {
  return deployment.spec?.template?.spec?.containers ?? []
}

function serviceSelectorProblems(objects: K8sObject[]): string[] {
  const deployments = ofKind(objects, 'Deployment')
  return ofKind(objects, 'Service').flatMap((service) => {
    const target = deployments.find((d) => matches(service.spec?.selector, podLabels(d)))
    if (target === undefined) return [`Service ${service.metadata.name}: selector matches no Deployment's pod labels`]
    const portNames = new Set(containers(target).flatMap((c) => (c.ports ?? []).map((p: any) => p.name)))
    return (service.spec?.ports ?? [])
      .filter((p: any) => typeof p.targetPort === 'string' && !portNames.has(p.targetPort))
      .map((p: any) => `Service ${service.metadata.name}: targetPort '${p.targetPort}' is not a port of Deployment ${target.metadata.name}`)
  })
}

function probePortProblems(objects: K8sObject[]): string[] {
  return ofKind(objects, 'Deployment').flatMap((deployment) =>
    containers(deployment).flatMap((c) => {
      const ports = c.ports ?? []
      return ['livenessProbe', 'readinessProbe', 'startupProbe']
        .filter((probe) => c[probe]?.httpGet !== undefined)
        .filter((probe) => {
          const port = c[probe].httpGet.port
          return !ports.some((p: any) => p.name === port || p.containerPort === port)
        })
        .map((probe) => `Deployment ${deployment.metadata.name}: ${probe} port '${c[probe].httpGet.port}' is not a container port`)
    }),
  )
}

function ingressBackendProblems(objects: K8sObject[]): string[] {
  return ofKind(objects, 'Ingress').flatMap((ingress) =>
    (ingress.spec?.rules ?? []).flatMap((rule: any) =>
      (rule.http?.paths ?? []).flatMap((path: any) => {
        const backend = path.backend?.service
        const service = named(objects, 'Service', backend?.name)
        if (service === undefined) return [`Ingress ${ingress.metadata.name}: backend Service '${backend?.name}' does not exist`]
        const port = backend.port ?? {}
        const found = (service.spec?.ports ?? []).some((p: any) => (port.name !== undefined ? p.name === port.name : p.port === port.number))
        return found ? [] : [`Ingress ${ingress.metadata.name}: Service ${backend.name} has no port ${JSON.stringify(port)}`]
      }),
    ),
  )
}

function autoscalerTargetProblems(objects: K8sObject[]): string[] {
  return ofKind(objects, 'HorizontalPodAutoscaler').flatMap((hpa) => {
    const ref = hpa.spec?.scaleTargetRef ?? {}
    const ok = ref.kind === 'Deployment' && ref.apiVersion === 'apps/v1' && named(objects, 'Deployment', ref.name) !== undefined
    const problems = ok ? [] : [`HorizontalPodAutoscaler ${hpa.metadata.name}: target ${ref.apiVersion} ${ref.kind} '${ref.name}' does not exist`]
    if (ok && containers(named(objects, 'Deployment', ref.name)!).some((c) => c.resources?.requests?.cpu === undefined)) {
      problems.push(`HorizontalPodAutoscaler ${hpa.metadata.name}: CPU utilization needs cpu requests on every container of ${ref.name}`)
    }
    return problems
  })
}

function disruptionBudgetProblems(objects: K8sObject[]): string[] {
  return ofKind(objects, 'PodDisruptionBudget').flatMap((pdb) => {
    const target = ofKind(objects, 'Deployment').find((d) => matches(pdb.spec?.selector?.matchLabels, podLabels(d)))
    if (target === undefined) return [`PodDisruptionBudget ${pdb.metadata.name}: selector matches no Deployment's pods`]
    const floor = autoscalerFloor(objects, target.metadata.name) ?? target.spec?.replicas ?? 1
    const min = pdb.spec?.minAvailable
    // A budget as large as the replica count blocks every drain.
    return typeof min === 'number' && min >= floor ? [`PodDisruptionBudget ${pdb.metadata.name}: minAvailable ${min} leaves no pod of ${target.metadata.name} (${floor} replicas) evictable`] : []
  })
}

function autoscalerFloor(objects: K8sObject[], deployment: string): number | undefined {
  return ofKind(objects, 'HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.name === deployment)?.spec?.minReplicas
}

function envFromProblems(objects: K8sObject[]): string[] {
  return ofKind(objects, 'Deployment').flatMap((deployment) =>
    containers(deployment).flatMap((c) =>
      (c.envFrom ?? []).flatMap((source: any) => {
        const [kind, name] = source.configMapRef !== undefined ? ['ConfigMap', source.configMapRef.name] : ['Secret', source.secretRef?.name]
        return named(objects, kind, name) !== undefined ? [] : [`Deployment ${deployment.metadata.name}: envFrom ${kind} '${name}' does not exist`]
      }),
    ),
  )
}

/** Every environment variable name a container gets, from env and from envFrom sources. */
export function environmentOf(objects: K8sObject[], container: any): Map<string, string> {
  const vars = new Map<string, string>()
  for (const source of container.envFrom ?? []) {
    const object = source.configMapRef !== undefined ? named(objects, 'ConfigMap', source.configMapRef.name) : named(objects, 'Secret', source.secretRef?.name)
    for (const [k, v] of Object.entries({ ...object?.data, ...object?.stringData })) vars.set(k, String(v))
  }
  for (const e of container.env ?? []) vars.set(e.name, e.value ?? '')
  return vars
}
