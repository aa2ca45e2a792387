import type { ComponentChildren } from 'preact'
import { ApiError } from '../lib/api-client.js'

/** An API error as the server worded it, with its code, never a blank page. */
export function ErrorMessage({ error, title }: { error: Error; title?: string }) {
  const code = error instanceof ApiError ? error.code : undefined
  return (
    <div class="message error" role="alert">
      <strong>{title ?? 'Something went wrong'}</strong>
      {code && <code class="code">{code}</code>}
      <p>{error.message}</p>
    </div>
  )
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="message empty">{children}</div>
}

export function Loading({ what }: { what?: string }) {
  return (
    <div class="message loading" role="status" aria-live="polite">
      Loading{what ? ` ${what}` : ''}…
    </div>
  )
}

/** The usual trio for a loaded value: error first, then a spinner, then the content. */
export function Loaded<T>({ state, what, children }: { state: { data: T | undefined; error: Error | undefined }; what?: string; children: (data: T) => ComponentChildren }) {
  if (state.error) return <ErrorMessage error={state.error} title={what ? `Could not load ${what}` : undefined} />
  if (state.data === undefined) return <Loading what={what} />
  return <>{children(state.data)}</>
}
