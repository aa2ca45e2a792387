/**
 * Monitors watch a deployment (or a model) on a schedule: every run reads the prediction logs of
 * a time window, compares them with a reference, checks conditions, and moves alerts between
 * pending, firing and resolved. Types here are the domain's; wire shapes live in `http/`.
 */
import type { StatTestName } from '../drift/stat-tests.js'

/** What a monitor watches: a deployment, or a model (optionally at an alias) called directly. */
export type MonitorTarget = { readonly deployment: string } | { readonly model: string; readonly alias?: string }

/** Cron (croner syntax, seconds optional) or a fixed interval in milliseconds. */
export type MonitorSchedule = { readonly cron: string } | { readonly everyMs: number }

/**
 * The data the window is compared with: the reference data attached to the serving model version
 * (`version`), a CSV artifact named by URI, or a fixed time window of the same target's logs.
 */
export type MonitorReference =
  | { readonly kind: 'version' }
  | { readonly kind: 'uri'; readonly uri: string }
  | { readonly kind: 'window'; readonly start: number; readonly end: number }

interface ConditionBase {
  /** Consecutive runs the condition must hold before its alert fires (1 = at once). */
  readonly for: number
  readonly severity: string
}

export type MonitorCondition = ConditionBase &
  (
    | { readonly type: 'drift_share'; readonly threshold: number }
    | { readonly type: 'feature_drift'; readonly feature: string; readonly method?: StatTestName; readonly threshold?: number }
    | { readonly type: 'performance_drop'; readonly metric: string; readonly maxDrop: number; readonly baseline?: number }
    | { readonly type: 'latency_p99'; readonly maxMs: number }
    | { readonly type: 'error_rate'; readonly max: number }
    | { readonly type: 'no_traffic'; readonly minRequests: number }
  )

export type ConditionType = MonitorCondition['type']

export interface WebhookTarget {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
}

export interface MonitorNotifications {
  readonly webhooks: readonly WebhookTarget[]
  readonly alertmanager?: { readonly url: string }
}

export interface MonitorSpec {
  readonly name: string
  readonly target: MonitorTarget
  readonly schedule: MonitorSchedule
  /** Length of the window of logs each run reads, ending at the run's time, in milliseconds. */
  readonly windowMs: number
  readonly reference: MonitorReference
  /** Drift method for every feature unless a feature_drift condition overrides it for its feature. */
  readonly method?: StatTestName
  readonly conditions: readonly MonitorCondition[]
  readonly notifications: MonitorNotifications
  readonly enabled: boolean
}

export interface Monitor {
  readonly id: string
  readonly spec: MonitorSpec
  readonly nextRunAt: number
  readonly createdAt: number
  readonly updatedAt: number
}

/** One feature's drift in a run (Evidently's column result). */
export interface FeatureDrift {
  readonly feature: string
  readonly type: 'numerical' | 'categorical'
  readonly method: StatTestName
  /** NaN (stored as null) when a side had no finite values. */
  readonly score: number | null
  readonly threshold: number
  readonly drift: boolean
  readonly droppedReference: number
  readonly droppedCurrent: number
}

export interface DriftResult {
  readonly features: readonly FeatureDrift[]
  readonly drifted: number
  readonly share: number
  readonly datasetDrift: boolean
  /** Reference columns not found in the window's logged inputs or outputs. */
  readonly missingColumns: readonly string[]
}

/** A condition's value in one run and whether it held (undefined value: no data to judge). */
export interface ConditionResult {
  readonly key: string
  readonly type: ConditionType
  readonly value: number | null
  readonly holds: boolean
  /** Why there was no value (no traffic, no reference, no performance source). */
  readonly note?: string
}

export interface PerformanceValue {
  readonly realized?: number
  readonly estimated?: number
}

export interface MonitorRunResults {
  readonly windowStart: number
  readonly windowEnd: number
  readonly deployment?: string
  readonly model?: string
  readonly requests: number
  readonly rows: number
  readonly errors: number
  /** errors / requests; 0 without requests. */
  readonly errorRate: number
  readonly latencyP50Ms: number | null
  readonly latencyP99Ms: number | null
  readonly drift: DriftResult | null
  /** Why drift was not computed (no reference, no logged rows, no shared column). */
  readonly driftNote?: string
  /** Metric name → realized/estimated value over the window. */
  readonly performance: Readonly<Record<string, PerformanceValue>>
  readonly conditions: readonly ConditionResult[]
}

export type MonitorRunOutcome = 'ok' | 'failed'

export interface MonitorRun {
  readonly id: string
  readonly monitorId: string
  readonly time: number
  readonly outcome: MonitorRunOutcome
  /** Why a failed run failed. */
  readonly error?: string
  readonly results?: MonitorRunResults
}

export type AlertState = 'pending' | 'firing' | 'resolved'

/** One monitor × condition. Created the first time the condition holds. */
export interface Alert {
  readonly id: string
  readonly monitorId: string
  readonly monitorName: string
  readonly deployment?: string
  readonly model?: string
  readonly condition: string
  readonly conditionType: ConditionType
  readonly severity: string
  readonly state: AlertState
  /** Consecutive runs the condition has held. */
  readonly streak: number
  /** When the current state began. */
  readonly since: number
  /** When the current firing began (kept after it resolves). */
  readonly startedAt?: number
  readonly resolvedAt?: number
  readonly lastValue: number | null
  readonly updatedAt: number
}

export type AlertEventKind = 'fired' | 'resolved'

/** Append-only history; `seq` increases with every event, so consumers resume after a cursor. */
export interface AlertEvent {
  readonly seq: number
  readonly alertId: string
  readonly monitorId: string
  readonly monitorName: string
  readonly deployment?: string
  readonly model?: string
  readonly condition: string
  readonly conditionType: ConditionType
  readonly severity: string
  readonly kind: AlertEventKind
  readonly value: number | null
  readonly startedAt: number
  readonly time: number
}

export type DeliveryTarget =
  | { readonly kind: 'webhook'; readonly url: string; readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: 'alertmanager'; readonly url: string }

export type DeliveryStatus = 'pending' | 'delivered' | 'failed'

/** A notification to send, kept until delivered or given up, so it survives a restart. */
export interface Delivery {
  readonly id: string
  readonly monitorId: string
  readonly alertId: string
  readonly target: DeliveryTarget
  /** The JSON body to POST. */
  readonly payload: unknown
  readonly status: DeliveryStatus
  readonly attempts: number
  readonly nextAttemptAt: number
  readonly lastError?: string
  readonly createdAt: number
  readonly updatedAt: number
}
