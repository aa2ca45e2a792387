import type { InferenceEngine } from '../../serving/inference-engine.js'
import type { BuiltinStep } from '../builtin-step.js'
import type { BuiltinName } from '../pipeline-spec.js'
import { createDeployCanaryStep } from './deploy-canary-step.js'
import { createEvaluateStep } from './evaluate-step.js'
import { createGateStep } from './gate-step.js'
import { createPromoteStep } from './promote-step.js'
import { createRegisterStep } from './register-step.js'

export interface BuiltinOptions {
  /** The engine `evaluate` scores models with; onnxruntime-node by default. */
  readonly engine?: InferenceEngine
}

/** Every built-in step by its `uses:` name; the runner looks steps up here. */
export function createBuiltinSteps(options: BuiltinOptions = {}): Map<BuiltinName, BuiltinStep> {
  const steps = [createEvaluateStep(options.engine), createGateStep(), createRegisterStep(), createDeployCanaryStep(), createPromoteStep()]
  return new Map(steps.map((s) => [s.name, s]))
}

export { CHAMPION_PRESENT } from './gate-step.js'
export { PIPELINE_RUN_TAG, PIPELINE_STEP_TAG, PIPELINE_TAG } from './register-step.js'
export { parseCondition, evaluateCondition, namesIn, type GateNode, type GateValue } from './gate-expression.js'
