import { useState } from 'preact/hooks'
import { storedToken } from '../lib/api-client.js'
import { formatBytes } from '../lib/format.js'
import { artifactUrl, listArtifacts } from '../lib/tracking-api.js'
import { useApi } from '../lib/use-api.js'
import type { FileInfo } from '../lib/wire-types.js'
import { ErrorMessage } from './message.js'

const TEXT_FILE = /\.(txt|json|ya?ml|md|csv|log|py|cfg|ini|toml|MLmodel)$|(^|\/)MLmodel$/

function Folder({ runId, path, onOpen }: { runId: string; path?: string; onOpen: (file: FileInfo) => void }) {
  const files = useApi((signal) => listArtifacts(runId, path, signal), [runId, path])
  const [open, setOpen] = useState<Set<string>>(new Set())
  if (files.error) return <ErrorMessage error={files.error} title="Could not list artifacts" />
  if (!files.data) return <p class="subtitle">Loading…</p>
  if (files.data.length === 0) return <p class="subtitle">{path ? 'Empty folder.' : 'This run has no artifacts.'}</p>
  return (
    <ul class="tree">
      {files.data.map((file) => {
        const name = file.path.split('/').pop()
        if (file.is_dir) {
          const expanded = open.has(file.path)
          return (
            <li key={file.path}>
              <button type="button" class="link" aria-expanded={expanded} onClick={() => setOpen(toggled(open, file.path))}>
                {expanded ? '▾' : '▸'} {name}/
              </button>
              {expanded && <Folder runId={runId} path={file.path} onOpen={onOpen} />}
            </li>
          )
        }
        return (
          <li key={file.path}>
            <button type="button" class="link" onClick={() => onOpen(file)}>
              {name}
            </button>{' '}
            <span class="subtitle">{formatBytes(file.file_size)}</span>
          </li>
        )
      })}
    </ul>
  )
}

function toggled(set: Set<string>, key: string): Set<string> {
  const next = new Set(set)
  if (next.has(key)) next.delete(key)
  else next.add(key)
  return next
}

function Preview({ runId, file }: { runId: string; file: FileInfo }) {
  const url = artifactUrl(runId, file.path)
  const text = useApi(async (signal) => {
    if (!TEXT_FILE.test(file.path) || (file.file_size ?? 0) > 512 * 1024) return undefined
    const response = await fetch(url, { signal, headers: authHeader() })
    return response.ok ? response.text() : `Could not read the file: HTTP ${response.status}`
  }, [url])
  return (
    <div>
      <h3>
        {file.path} <span class="subtitle">{formatBytes(file.file_size)}</span>
      </h3>
      <p>
        <DownloadLink url={url} name={file.path.split('/').pop() ?? 'artifact'} />
      </p>
      {text.data !== undefined && <pre class="preview">{text.data}</pre>}
    </div>
  )
}

/**
 * Signed out (no --auth), a plain link streams the file. Signed in, a link cannot carry the
 * Authorization header, so the file is fetched with it and saved from a blob URL: the token never
 * goes into a URL, where history, logs and Referer headers would keep it.
 */
function DownloadLink({ url, name }: { url: string; name: string }) {
  const [state, setState] = useState<{ busy?: boolean; error?: string }>({})
  if (!storedToken()) return <a href={url} download={name}>Download</a>
  const download = async (event: Event) => {
    event.preventDefault()
    setState({ busy: true })
    try {
      const response = await fetch(url, { headers: authHeader() })
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`)
      const blobUrl = URL.createObjectURL(await response.blob())
      const link = Object.assign(document.createElement('a'), { href: blobUrl, download: name })
      document.body.append(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000)
      setState({})
    } catch (error) {
      setState({ error: (error as Error).message })
    }
  }
  return (
    <>
      <a href={url} download={name} onClick={download} aria-busy={state.busy ? 'true' : 'false'}>{state.busy ? 'Downloading…' : 'Download'}</a>
      {state.error && <span class="message error" role="alert" style={{ display: 'block', marginTop: 8 }}>Could not download: {state.error}</span>}
    </>
  )
}

function authHeader(): Record<string, string> {
  const token = storedToken()
  return token ? { authorization: `Bearer ${token}` } : {}
}

/** A run's artifact tree, folders opened on demand, with a preview of small text files. */
export function ArtifactBrowser({ runId }: { runId: string }) {
  const [file, setFile] = useState<FileInfo>()
  return (
    <div class="grid-2">
      <div>
        <Folder runId={runId} onOpen={setFile} />
      </div>
      <div>{file ? <Preview runId={runId} file={file} /> : <p class="subtitle">Choose a file to see it here.</p>}</div>
    </div>
  )
}
