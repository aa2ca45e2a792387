/**
 * The typed form of a pipeline file (`pipelines/*.yaml`), after parsing and validation. The
 * parser (`parse-pipeline.ts`) turns YAML into these; everything downstream (runner, cache keys,
 * executors, triggers, the UI) reads only these types, never YAML.
 *
 * Expressions in strings are `${{ … }}`, as in GitHub Actions, so CI users read them at sight:
 * `${{ params.NAME }}`, `${{ steps.STEP.outputs.NAME }}`, `${{ inputs.NAME }}` (a local path to
 * an input artifact), `${{ outputs.NAME }}` (the path a step writes an output artifact to),
 * `${{ trigger.FIELD }}` (the triggering event's payload, in trigger param mappings).
 */

export type ConcurrencyPolicy = 'allow' | 'forbid' | 'replace'

export interface PipelineSpec {
  /** Unique per store; `[A-Za-z0-9_.-]+`. */
  readonly name: string
  readonly description?: string
  /** Declared params with defaults; a run may only set declared ones. */
  readonly params: Readonly<Record<string, ParamSpec>>
  readonly steps: readonly StepSpec[]
  readonly triggers: readonly TriggerSpec[]
  /** What a new run does while another run of this pipeline is active. Default `allow`. */
  readonly concurrency: ConcurrencyPolicy
  /** Environment for every step (a step's own `env` wins). */
  readonly env: Readonly<Record<string, string>>
}

export interface ParamSpec {
  readonly default?: string | number | boolean
  readonly description?: string
  /** A param without a default must be given by the run (CLI `--param`, API, trigger mapping). */
  readonly required: boolean
}

export interface RetryPolicy {
  /** Attempts after the first; total attempts = limit + 1 (Argo's rule). */
  readonly limit: number
  readonly backoffMs: number
  readonly factor: number
  readonly maxBackoffMs: number
}

/** A secret is passed to a step as an environment variable; its value is never stored or logged. */
export type SecretRef =
  /** From the environment of the process that runs the step (server or worker). */
  | { readonly fromEnv: string }
  /** From a file on the machine that runs the step (a mounted Kubernetes Secret, say). */
  | { readonly fromFile: string }

export interface StepSpec {
  readonly name: string
  /** Step names this one waits for; outputs referenced by expressions add implicit edges too. */
  readonly depends: readonly string[]
  /** What the step runs: a command, a container image, or a built-in step. Exactly one. */
  readonly action: StepAction
  /** Artifact inputs: name -> expression or URI (`${{ steps.train.outputs.model }}`, `s3://…`, a path). */
  readonly inputs: Readonly<Record<string, string>>
  /** Declared outputs: artifact files the step writes, and small string params it reports. */
  readonly outputs: { readonly artifacts: readonly string[]; readonly params: readonly string[] }
  readonly env: Readonly<Record<string, string>>
  readonly secrets: Readonly<Record<string, SecretRef>>
  readonly retry: RetryPolicy
  /** Killed with its whole process tree when exceeded. */
  readonly timeoutMs?: number
  /** Declared code files (globs, relative to the pipeline file) whose content is in the cache key. */
  readonly code: readonly string[]
  /** Caching applies unless `cache: false` or the step is side-effecting. */
  readonly cache: boolean
  /** Deploys, notifies, registers: never served from cache. Built-ins that change state set it. */
  readonly sideEffects: boolean
  /** Where the file defined the step, for errors at run time (`pipelines/x.yaml:12:5`). */
  readonly location?: SourceLocation
}

export type StepAction =
  /** `run: "python3 train.py --lr ${{ params.lr }}"` runs in a shell (`sh -c`), or argv form. */
  | { readonly kind: 'command'; readonly shell?: string; readonly argv?: readonly string[]; readonly workingDir?: string }
  /** Runs the command in a container; needs an executor with a container runtime. */
  | { readonly kind: 'image'; readonly image: string; readonly argv: readonly string[] }
  /** `uses: evaluate` with `with:` arguments (expressions allowed). */
  | { readonly kind: 'builtin'; readonly uses: BuiltinName; readonly with: Readonly<Record<string, unknown>> }

export const BUILTIN_NAMES = ['evaluate', 'gate', 'register', 'deploy-canary', 'promote'] as const
export type BuiltinName = (typeof BUILTIN_NAMES)[number]

export type TriggerSpec =
  /** `catchup: true` fires the latest tick missed while no replica ran, once, at start; default: missed ticks are skipped. */
  | { readonly kind: 'cron'; readonly schedule: string; readonly timezone?: string; readonly catchup?: boolean; readonly params: ParamMapping; readonly concurrency?: ConcurrencyPolicy }
  /** A monitor alert starts firing (optionally filtered by monitor, deployment, condition type, severity). */
  | { readonly kind: 'alert'; readonly monitor?: string; readonly deployment?: string; readonly conditionTypes?: readonly string[]; readonly severity?: string; readonly params: ParamMapping; readonly concurrency?: ConcurrencyPolicy }
  /** New data: a dataset logged to a run (by name), or a new object under an artifact prefix. */
  | { readonly kind: 'data'; readonly dataset?: string; readonly prefix?: string; readonly params: ParamMapping; readonly concurrency?: ConcurrencyPolicy }
  /** `POST /api/plinth/v1/pipelines/{name}/webhook` with any JSON body. */
  | { readonly kind: 'webhook'; readonly params: ParamMapping; readonly concurrency?: ConcurrencyPolicy }

/** Run param -> expression over the trigger's payload, e.g. `{ reason: '${{ trigger.monitorName }}' }`. */
export type ParamMapping = Readonly<Record<string, string>>

export interface SourceLocation {
  readonly file?: string
  readonly line: number
  readonly column: number
}
