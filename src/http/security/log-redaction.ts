import { Writable } from 'node:stream'

const MASK = '***'

/** Query parameters and JSON fields whose value is a credential, whatever the route. */
const SECRET_NAMES = 'token|access_token|api_key|apikey|password|passwd|secret|client_secret|signature|x-amz-signature|x-amz-credential|x-amz-security-token|aws_secret_access_key|aws_session_token|secret_access_key|session_token|authorization'

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // postgresql://user:pass@host, redis://:pass@host, nats://user:pass@host: keep the user, hide the password.
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@"']*):[^\s@/"']*@/gi, `$1:${MASK}@`],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${MASK}`],
  [new RegExp(`([?&](?:${SECRET_NAMES})=)[^&\\s"'#]*`, 'gi'), `$1${MASK}`],
  [new RegExp(`("(?:${SECRET_NAMES})"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*"`, 'gi'), `$1${MASK}"`],
  [new RegExp(`\\b((?:${SECRET_NAMES})\\s*=\\s*)[^\\s,;"'&]+`, 'gi'), `$1${MASK}`],
  // AWS secret access keys are 40 base64 characters; ids (AKIA…) are not secret but pair with them.
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, `$1${MASK}`],
]

/** Masks credentials in a log line: URL passwords, bearer tokens, secret query parameters and fields. */
export function redactSecrets(text: string): string {
  let out = text
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out
}

/** Paths pino blanks before serializing, for objects that carry headers. */
export const REDACT_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', 'request.headers.authorization']

/**
 * A destination that masks every line on its way out. Masking the finished line, not chosen
 * fields, also covers error messages and stack traces that quote a connection string.
 */
export function redactingStream(target: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      target.write(redactSecrets(String(chunk)))
      callback()
    },
  })
}

/** Pino options for the server's logger, or false: redaction is added to whatever was asked for. */
export function redactedLoggerOptions(logger: boolean | Record<string, unknown> | undefined): false | Record<string, unknown> {
  if (!logger) return false
  const options = logger === true ? {} : logger
  const stream = (options.stream as NodeJS.WritableStream | undefined) ?? process.stdout
  return { ...options, redact: { paths: REDACT_PATHS, censor: MASK }, stream: redactingStream(stream) }
}
