import { Counter, type Registry } from 'prom-client'

export type FeedbackOutcome = 'matched' | 'unknown'

const counters = new WeakMap<Registry, Counter<'outcome'>>()

/**
 * `plinth_feedback_total{outcome}` on the given registry, made once per registry so several
 * services in one process (or a test app beside another) share it instead of registering twice.
 */
export function feedbackCounter(registry: Registry): Counter<'outcome'> {
  let counter = counters.get(registry)
  if (!counter) {
    counter = new Counter({
      name: 'plinth_feedback_total',
      help: 'Ground-truth labels received, by outcome: matched to a logged prediction, or unknown prediction id.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    })
    // Both series exist from the start, so a rate() over them is 0 rather than absent.
    counter.inc({ outcome: 'matched' }, 0)
    counter.inc({ outcome: 'unknown' }, 0)
    counters.set(registry, counter)
  }
  return counter
}
