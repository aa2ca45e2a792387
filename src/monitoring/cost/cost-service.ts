import { AppError } from '../../shared/errors.js'
import { costReport, type CostReport } from './cost-exposition.js'

export interface CostFilter {
  model?: string
  /** '' selects requests that called a model by name, outside any deployment. */
  deployment?: string
}

/**
 * `GET /api/plinth/v1/monitoring/cost`: the cost per model version and deployment, read from the
 * same exposition `/metrics` serves (`render`), so under `--workers` it is the whole server's
 * (the primary's sums), not the share of the worker that took the call.
 */
export class CostService {
  readonly #render: () => Promise<{ body: string }>

  constructor(render: () => Promise<{ body: string }>) {
    this.#render = render
  }

  /** INVALID_PARAMETER_VALUE for an empty model name. Unknown names match nothing (an empty list). */
  async report(filter: CostFilter = {}): Promise<CostReport> {
    if (filter.model !== undefined && filter.model.trim() === '') {
      throw new AppError('INVALID_PARAMETER_VALUE', "Query parameter 'model' is empty; give a registered model name, or leave it out for every model.")
    }
    const report = costReport((await this.#render()).body)
    const rows = report.rows.filter((r) => (filter.model === undefined || r.model === filter.model) && (filter.deployment === undefined || r.deployment === filter.deployment))
    return { ...report, rows }
  }
}
