import { lField, vField } from '../../registry/onnx-test-writer.test-helper.js'
import type { Services } from '../../app/services.js'
import type { BuiltinContext } from '../builtin-step.js'

/** A BuiltinContext over real services, with a clock that bakes instantly. */
export interface TestContext extends BuiltinContext {
  readonly lines: string[]
  /** Milliseconds the step asked to sleep, in order. */
  readonly slept: number[]
}

export interface ContextOptions {
  step?: string
  pipelineRunId?: string
  trackingRunId?: string
  steps?: Record<string, Record<string, string>>
  signal?: AbortSignal
  /** Runs inside each sleep, before the clock moves past it: the traffic a bake sees. */
  duringSleep?: (ms: number) => Promise<void>
}

/**
 * The clock is the real one and sleeping returns at once: prediction logs carry real times, so a
 * bake window that followed a fake clock would miss the requests sent during it.
 */
export function testContext(services: Services, options: ContextOptions = {}): TestContext {
  const lines: string[] = []
  const slept: number[] = []
  return {
    services,
    pipelineRunId: options.pipelineRunId ?? 'prun-1',
    pipeline: 'retrain',
    step: options.step ?? 'step',
    attempt: 1,
    trackingRunId: options.trackingRunId ?? '',
    inputs: {},
    steps: options.steps ?? {},
    signal: options.signal ?? new AbortController().signal,
    lines,
    slept,
    log: (line) => void lines.push(line),
    now: () => Date.now(),
    async sleep(ms, signal) {
      slept.push(ms)
      await options.duringSleep?.(ms)
      if (signal.aborted) throw new Error('aborted')
    },
  }
}

function valueInfo(name: string, dims: Array<number | string>): Buffer {
  const shape = lField(2, Buffer.concat(dims.map((d) => lField(1, typeof d === 'number' ? vField(1, d) : lField(2, d)))))
  return Buffer.concat([lField(1, name), lField(2, lField(1, Buffer.concat([vField(1, 1), shape])))])
}

function floatTensor(name: string, dims: number[], values: number[]): Buffer {
  return Buffer.concat([...dims.map((d) => vField(1, d)), vField(2, 1), lField(8, name), lField(9, Buffer.from(Float32Array.from(values).buffer))])
}

function node(op: string, inputs: string[], output: string): Buffer {
  return lField(1, Buffer.concat([...inputs.map((i) => lField(1, i)), lField(2, output), lField(4, op)]))
}

/**
 * A linear model onnxruntime really runs: `x · w + b`, through a Sigmoid for a binary classifier
 * (one probability per row, no label output: the shape a MatMul + Sigmoid export has).
 */
export function linearModel(weights: number[], bias: number, sigmoid: boolean): Uint8Array {
  const graph = Buffer.concat([
    node('MatMul', ['x', 'w'], 'xw'),
    node('Add', ['xw', 'b'], sigmoid ? 'logit' : 'y'),
    ...(sigmoid ? [node('Sigmoid', ['logit'], 'y')] : []),
    lField(2, 'linear'),
    lField(5, floatTensor('w', [weights.length, 1], weights)),
    lField(5, floatTensor('b', [1], [bias])),
    lField(11, valueInfo('x', ['batch', weights.length])),
    lField(12, valueInfo('y', ['batch', 1])),
  ])
  return Buffer.concat([vField(1, 8), lField(8, Buffer.concat([lField(1, ''), vField(2, 13)])), lField(7, graph)])
}

/** A CSV of rows `a,b,label` where label = 1 exactly when a + b > 1. */
export function holdoutCsv(rows = 40): string {
  const lines = ['a,b,label']
  for (let i = 0; i < rows; i++) {
    const a = ((i * 7) % 11) / 10
    const b = ((i * 5) % 13) / 12
    lines.push(`${a},${b},${a + b > 1 ? 1 : 0}`)
  }
  return lines.join('\n') + '\n'
}
