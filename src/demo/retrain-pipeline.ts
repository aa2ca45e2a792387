/**
 * The retraining pipeline `plinth demo` applies: an alert from the drift monitor starts it, it
 * trains on recent labelled rows with `plinth train`, compares the candidate with the champion,
 * and ships it through a gated canary. The same text, with the defaults below, is shipped as
 * examples/pipelines/churn-retrain.yaml (a test keeps the two equal).
 */
export const RETRAIN_PIPELINE = 'churn-retrain'
export const DRIFT_MONITOR = 'churn-drift'
export const HEALTH_MONITOR = 'churn-health'
export const DEMO_MODEL = 'churn'
export const DEMO_DEPLOYMENT = 'churn-api'

export interface RetrainPipelineParams {
  /** How a step runs the CLI: `plinth`, or a quoted node binary and CLI entry. */
  readonly plinth: string
  /** Recent labelled rows to train on, relative to the pipeline file's folder or absolute. */
  readonly data: string
  /** Recent labelled rows kept out of training, for the champion/challenger comparison. */
  readonly holdout: string
  /** How long each canary stage runs before it is judged. */
  readonly bake: string
}

export const EXAMPLE_PARAMS: RetrainPipelineParams = { plinth: 'plinth', data: 'data/recent.csv', holdout: 'data/holdout.csv', bake: '5s' }

/** JSON strings are YAML double-quoted scalars, so any path or command survives. */
const q = (text: string) => JSON.stringify(text)

export function retrainPipelineYaml(params: RetrainPipelineParams = EXAMPLE_PARAMS): string {
  return `# Retrain ${DEMO_MODEL} when its drift monitor fires, then gate, canary and promote the new model.
# Written by \`plinth demo\`, which fills in the params' defaults for its workspace.
# Apply it with: plinth pipelines apply churn-retrain.yaml
name: ${RETRAIN_PIPELINE}
description: retrain on recent labelled rows when drift fires; ship through a gated canary
params:
  plinth: {default: ${q(params.plinth)}, description: how steps run the Plinth CLI}
  data: {default: ${q(params.data)}, description: recent labelled rows (CSV with the churned column)}
  holdout: {default: ${q(params.holdout)}, description: recent labelled rows kept out of training}
  reason: {default: manual, description: what started the run}
concurrency: forbid
triggers:
  - alert: {monitor: ${DRIFT_MONITOR}}
    params: {reason: "\${{ trigger.monitorName }}: \${{ trigger.conditionType }} = \${{ trigger.value }}"}
    concurrency: forbid          # one retraining at a time, however many alerts fire
steps:
  - name: train
    run: >-
      \${{ params.plinth }} train --data "\${{ inputs.data }}" --target churned --model logistic
      --out "\${{ outputs.model }}" --reference-out "\${{ outputs.reference }}" --metrics-file "$PLINTH_METRICS"
      && echo "run_id=$MLFLOW_RUN_ID" >> "$PLINTH_OUTPUT"
    inputs: {data: "\${{ params.data }}"}
    outputs: {artifacts: [model, reference], params: [run_id]}
  - name: evaluate
    uses: evaluate
    inputs: {holdout: "\${{ params.holdout }}"}
    with:
      candidate: "\${{ steps.train.outputs.model }}"
      champion: models:/${DEMO_MODEL}@champion
      data: "\${{ inputs.holdout }}"
      target: churned
      task: classification
  - name: gate
    uses: gate
    depends: [evaluate]
    with: {condition: "challenger.f1 >= champion.f1 + 0.01"}
  - name: register
    uses: register
    depends: [gate]
    with:
      model: "\${{ steps.train.outputs.model }}"
      name: ${DEMO_MODEL}
      alias: challenger
      reference_data: "\${{ steps.train.outputs.reference }}"
      source_run: "\${{ steps.train.outputs.run_id }}"
  - name: deploy-canary
    uses: deploy-canary
    with:
      deployment: ${DEMO_DEPLOYMENT}
      model: ${DEMO_MODEL}
      version: "\${{ steps.register.outputs.version }}"
      steps: [20, 100]
      bake: ${params.bake}                  # a demo-sized bake; production canaries bake for minutes
      monitor: ${HEALTH_MONITOR}         # not the drift monitor: its alert is why we are here
      max_error_rate: 0.01
      min_requests: 5
  - name: promote
    uses: promote
    depends: [deploy-canary]
    with:
      model: ${DEMO_MODEL}
      version: "\${{ steps.register.outputs.version }}"
      alias: champion
      deployment: ${DEMO_DEPLOYMENT}
`
}
