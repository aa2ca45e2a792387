/** A disclosure with one checkbox per key: which params or metrics the runs table shows. */
export function ColumnPicker({ title, all, chosen, onChange }: { title: string; all: string[]; chosen: string[]; onChange: (list: string[]) => void }) {
  const keys = [...new Set([...chosen, ...all])]
  return (
    <details class="picker" style={{ position: 'relative' }}>
      <summary class="button" style={{ listStyle: 'none' }}>
        {title} ({chosen.length}/{keys.length})
      </summary>
      <div class="card" style={{ position: 'absolute', zIndex: 5, right: 0, minWidth: 220, maxHeight: 320, overflow: 'auto', marginTop: 4 }}>
        {keys.length === 0 && <p class="subtitle">None on this page.</p>}
        {keys.map((key) => (
          <div key={key}>
            <label class="inline">
              <input
                type="checkbox"
                checked={chosen.includes(key)}
                onChange={(e) => onChange((e.target as HTMLInputElement).checked ? [...chosen, key] : chosen.filter((k) => k !== key))}
              />
              {key}
            </label>
          </div>
        ))}
      </div>
    </details>
  )
}
