import { useState } from 'preact/hooks'
import { ErrorMessage } from '../components/message.js'
import { setAlias } from '../lib/registry-api.js'
import type { ModelVersion } from '../lib/wire-types.js'

/** Points an alias (new or existing) at a version; the server records the move in the alias history. */
export function AliasForm({ model, versions, onChanged }: { model: string; versions: ModelVersion[]; onChanged: (message: string) => void }) {
  const [alias, setAliasName] = useState('')
  const [version, setVersion] = useState(versions[0]?.version ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<Error>()
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await setAlias(model, alias.trim(), version)
      onChanged(`@${alias.trim()} now points at version ${version}.`)
      setAliasName('')
    } catch (e) {
      setError(e as Error)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="toolbar" onSubmit={submit} aria-label="Set an alias">
      <label>
        Alias
        <input name="alias" required pattern="[A-Za-z0-9_\-]+" title="Letters, digits, - and _" value={alias} placeholder="champion" onInput={(e) => setAliasName((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        Version
        <select name="version" value={version} onChange={(e) => setVersion((e.target as HTMLSelectElement).value)}>
          {versions.map((v) => <option key={v.version} value={v.version}>{v.version}</option>)}
        </select>
      </label>
      <button type="submit" class="primary" disabled={busy || !alias.trim() || !version}>
        {busy ? 'Saving…' : 'Set alias'}
      </button>
      {error && <div style={{ flexBasis: '100%' }}><ErrorMessage error={error} title="Could not set the alias" /></div>}
    </form>
  )
}
