import { useState } from 'preact/hooks'
import { ErrorMessage } from '../components/message.js'
import { registerFromRun } from '../lib/registry-api.js'
import type { ModelVersion } from '../lib/wire-types.js'

/** Registers one of the run's ONNX artifacts as a new model version. */
export function RegisterForm({ runId, onRegistered }: { runId: string; onRegistered: (v: ModelVersion) => void }) {
  const [name, setName] = useState('')
  const [path, setPath] = useState('model.onnx')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<Error>()
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      onRegistered(await registerFromRun(name.trim(), runId, path.trim()))
    } catch (e) {
      setError(e as Error)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="toolbar" onSubmit={submit} aria-label="Register a model version">
      <label>
        Model name
        <input name="model-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        Artifact path
        <input name="artifact-path" required value={path} onInput={(e) => setPath((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit" class="primary" disabled={busy || !name.trim() || !path.trim()}>
        {busy ? 'Registering…' : 'Register model'}
      </button>
      {error && <div style={{ flexBasis: '100%' }}><ErrorMessage error={error} title="Could not register" /></div>}
    </form>
  )
}
