/** Row types of migration 0010 (pipeline trigger state); see schema.ts for the whole database. */

export interface PipelineTriggerCursorTable {
  trigger_key: string
  value: string
  updated_at: number
}

export interface PipelineTriggerSeenTable {
  trigger_key: string
  /** SHA-256 (hex) of the item's text. */
  item_hash: string
  seen_at: number
}
