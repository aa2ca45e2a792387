import { requestRows, type CostTracker } from '../monitoring/cost/cost-tracker.js'
import type { ModelCache, ModelLease } from '../serving/model-cache.js'
import type { ModelSignature, Tensor } from '../serving/tensor-types.js'
import type { InferenceMetrics } from './inference-metrics.js'
import { compareOutputs } from './output-comparison.js'
import type { ServedVersion } from './serving-plan.js'

/** A request decoded for one model's signature. */
export interface DecodedRequest {
  inputs: Tensor[]
  /** Outputs asked for; all when undefined. */
  outputs?: string[]
}

export interface MirroredRequest {
  deployment: string
  shadow: ServedVersion
  /** The primary's decoded request, reused when the shadow takes the same inputs. */
  request: DecodedRequest
  signature: ModelSignature
  /** Decodes the caller's body again for a shadow whose inputs differ. */
  decode(signature: ModelSignature): DecodedRequest
  primaryOutputs: Tensor[]
}

/**
 * Sends copies of requests to a deployment's shadow after the caller has its answer, compares the
 * answers and records the comparison; the shadow's answer is discarded. Nothing here can delay or
 * fail the caller: it starts on a later turn of the event loop, every error is counted and
 * swallowed, and past `maxPending` mirrored requests new copies are dropped (and counted).
 */
export class ShadowMirror {
  readonly #cache: ModelCache
  readonly #metrics: InferenceMetrics
  readonly #maxPending: number
  readonly #cost: CostTracker | undefined
  #pending = 0

  constructor(cache: ModelCache, metrics: InferenceMetrics, maxPending = 64, cost?: CostTracker) {
    this.#cache = cache
    this.#metrics = metrics
    this.#maxPending = maxPending
    this.#cost = cost
  }

  /** Copies waiting or running. */
  get pending(): number {
    return this.#pending
  }

  mirror(request: MirroredRequest): void {
    if (this.#pending >= this.#maxPending) {
      this.#metrics.shadow(request.deployment, request.shadow, 'dropped')
      return
    }
    this.#pending++
    setImmediate(() => {
      void this.#run(request).finally(() => this.#pending--)
    })
  }

  async #run(mirrored: MirroredRequest): Promise<void> {
    let lease: ModelLease | undefined
    try {
      lease = await this.#cache.acquire(mirrored.shadow.key)
      const request = sameInputs(lease.signature, mirrored.signature) ? mirrored.request : mirrored.decode(lease.signature)
      const wanted = request.outputs?.filter((name) => lease!.signature.outputs.some((o) => o.name === name))
      const outputs = await lease.infer(request.inputs, wanted?.length ? wanted : undefined)
      // A shadow's CPU is part of what its deployment costs, though it predicts for nobody.
      this.#cost?.served(mirrored.shadow.key, mirrored.deployment, requestRows(request.inputs), 0, false)
      this.#metrics.shadow(mirrored.deployment, mirrored.shadow, 'ok')
      const comparison = compareOutputs(mirrored.primaryOutputs, outputs)
      this.#metrics.shadowComparison(mirrored.deployment, comparison.differenceRatio, comparison.disagree)
    } catch {
      try {
        this.#metrics.shadow(mirrored.deployment, mirrored.shadow, 'failed')
      } catch {
        // Metrics must not turn a shadow's failure into anything else.
      }
    } finally {
      lease?.release()
    }
  }
}

function sameInputs(a: ModelSignature, b: ModelSignature): boolean {
  if (a === b) return true
  return (
    a.inputs.length === b.inputs.length &&
    a.inputs.every((x, i) => {
      const y = b.inputs[i]!
      return x.name === y.name && x.datatype === y.datatype && JSON.stringify(x.shape) === JSON.stringify(y.shape)
    })
  )
}
