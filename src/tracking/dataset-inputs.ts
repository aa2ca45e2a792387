import { AppError } from '../shared/errors.js'
import type { DatasetInput } from './tracking-entities.js'
import { LIMITS, checkLength, requireValue } from './tracking-limits.js'

/** Validates log-inputs datasets against MLflow's limits. */
export function checkDatasetInputs(inputs: DatasetInput[]): DatasetInput[] {
  if (inputs.length > LIMITS.datasetsPerBatch) {
    throw new AppError('INVALID_PARAMETER_VALUE', `A batch logging request can contain at most ${LIMITS.datasetsPerBatch} datasets. Got ${inputs.length} datasets. Please split up datasets across multiple requests and try again.`)
  }
  return inputs.map((input) => {
    const d = input.dataset
    if (!d) throw new AppError('INVALID_PARAMETER_VALUE', "Missing value for required parameter 'dataset' of a dataset input.")
    checkLength(requireValue(d.name, 'dataset.name'), LIMITS.datasetNameLength, 'Dataset name')
    checkLength(requireValue(d.digest, 'dataset.digest'), LIMITS.datasetDigestLength, 'Dataset digest')
    checkLength(requireValue(d.sourceType, 'dataset.source_type'), 36, 'Dataset source type')
    checkLength(requireValue(d.source, 'dataset.source'), LIMITS.datasetSourceLength, 'Dataset source')
    if (d.schema) checkLength(d.schema, LIMITS.datasetSchemaLength, 'Dataset schema')
    if (d.profile) checkLength(d.profile, LIMITS.datasetProfileLength, 'Dataset profile')
    for (const tag of input.tags ?? []) {
      checkLength(requireValue(tag.key, 'input tag key'), LIMITS.inputTagKeyLength, 'Input tag key')
      checkLength(requireValue(tag.value, 'input tag value'), LIMITS.inputTagValueLength, `Input tag value of '${tag.key}'`)
    }
    return { tags: input.tags ?? [], dataset: d }
  })
}
