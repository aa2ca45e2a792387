/** A two- or three-column table of keys and values; numbers aligned right. */
export function KeyValueTable({ rows, numeric, extraLabel }: { rows: Array<{ key: string; value: string; extra?: string }>; numeric?: boolean; extraLabel?: string }) {
  if (rows.length === 0) return <p class="subtitle">None.</p>
  return (
    <div class="table-wrap" style={{ maxHeight: 360 }}>
      <table>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col" class={numeric ? 'num' : undefined}>Value</th>
            {extraLabel && <th scope="col" class="num">{extraLabel}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.key}</td>
              <td class={numeric ? 'num' : 'wrap'}>{r.value}</td>
              {extraLabel && <td class="num">{r.extra}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
