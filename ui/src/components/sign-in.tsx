import { useState } from 'preact/hooks'

/** Token sign-in for a server started with --auth: the token is kept in this browser only. */
export function SignIn({ reason, onToken }: { reason: string; onToken: (token: string) => void }) {
  const [token, setToken] = useState('')
  return (
    <div class="sign-in card">
      <h1>Sign in to Plinth</h1>
      <p class="subtitle">This server requires an API token. Create one with <code>plinth tokens create --name NAME --role reader|editor|admin</code>.</p>
      {reason && <p class="message error" role="alert">{reason}</p>}
      <form
        onSubmit={(event) => {
          event.preventDefault()
          if (token.trim()) onToken(token.trim())
        }}
      >
        <label>
          API token
          <input type="password" name="token" autoComplete="current-password" autoFocus value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        </label>
        <p>
          <button class="primary" type="submit" disabled={!token.trim()}>
            Sign in
          </button>
        </p>
      </form>
    </div>
  )
}
