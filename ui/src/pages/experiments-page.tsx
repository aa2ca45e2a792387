import { Loaded } from '../components/message.js'
import type { Location } from '../lib/router.js'
import { searchExperiments } from '../lib/tracking-api.js'
import { useApi } from '../lib/use-api.js'
import type { Experiment } from '../lib/wire-types.js'
import { RunsTable } from './runs-table.js'

function ExperimentList({ experiments, selected }: { experiments: Experiment[]; selected?: string }) {
  return (
    <nav aria-label="Experiments" class="card" style={{ padding: '8px 0', maxHeight: '70vh', overflow: 'auto' }}>
      <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {experiments.map((e) => (
          <li key={e.experiment_id}>
            <a
              href={`/experiments/${encodeURIComponent(e.experiment_id)}`}
              aria-current={e.experiment_id === selected ? 'page' : undefined}
              style={{ display: 'block', padding: '5px 14px', fontWeight: e.experiment_id === selected ? 600 : 400, background: e.experiment_id === selected ? 'var(--accent-weak)' : undefined }}
            >
              {e.name}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  )
}

/**
 * Experiments on the left, the chosen one's runs on the right. With an experiment id in the URL
 * the runs search starts at once, beside the experiment list, not after it: the first page waits
 * for one round trip instead of two.
 */
export function ExperimentsPage({ experimentId, location }: { experimentId?: string; location: Location }) {
  const experiments = useApi((signal) => searchExperiments(signal), [])
  const list = experiments.data
  const fallback = list?.find((e) => e.name !== 'Default') ?? list?.[0]
  const chosenId = experimentId ?? fallback?.experiment_id
  const name = list?.find((e) => e.experiment_id === chosenId)?.name
  return (
    <div style={{ display: 'grid', gridTemplateColumns: '220px minmax(0, 1fr)', gap: 20 }}>
      <div>
        <h1>Experiments</h1>
        <Loaded state={experiments} what="experiments">
          {(all) => (
            <>
              <p class="subtitle" style={{ marginBottom: 10 }}>{all.length} in total</p>
              <ExperimentList experiments={all} selected={chosenId} />
            </>
          )}
        </Loaded>
      </div>
      <div>
        {chosenId ? <RunsTable key={chosenId} experimentId={chosenId} name={name} location={location} /> : list && <p>No experiments yet. Log a run with an MLflow client.</p>}
      </div>
    </div>
  )
}
