import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { TriggerStateStore } from '../../pipelines/triggers/trigger-state-store.js'
import { SqlTriggerStateStore } from '../sql/sql-trigger-state-store.js'
import type { TestBackend } from './test-databases.js'

/** The pipeline trigger state store, on every backend. */
export function describeTriggerStateStore(backend: TestBackend): void {
  describe(`${backend.name}: TriggerStateStore`, { skip: backend.skip }, () => {
    let cleanup: () => Promise<void>
    let store: TriggerStateStore
    let other: TriggerStateStore
    before(async () => {
      const opened = await backend.open()
      cleanup = opened.cleanup
      store = new SqlTriggerStateStore(opened.database)
      other = new SqlTriggerStateStore(opened.database)
    })
    after(() => cleanup())

    it('should create a cursor only when none exists yet', async () => {
      assert.equal(await store.getCursor('p:alert:1'), undefined)
      assert.equal(await store.compareAndSetCursor('p:alert:1', undefined, '5', 1), true)
      assert.equal(await other.compareAndSetCursor('p:alert:1', undefined, '9', 2), false)
      assert.equal(await store.getCursor('p:alert:1'), '5')
    })

    it('should move a cursor only from the value the writer expects', async () => {
      assert.equal(await store.compareAndSetCursor('p:alert:1', '5', '7', 3), true)
      assert.equal(await other.compareAndSetCursor('p:alert:1', '5', '6', 4), false, 'a stale replica must not move it back')
      assert.equal(await store.getCursor('p:alert:1'), '7')
    })

    it('should let exactly one of many concurrent writers win the same move', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).compareAndSetCursor('p:alert:1', '7', String(8 + i), 5)))
      assert.equal(results.filter(Boolean).length, 1)
      const winner = results.findIndex(Boolean)
      assert.equal(await store.getCursor('p:alert:1'), String(8 + winner))
    })

    it('should remember seen items per trigger and tolerate marking one twice', async () => {
      const longKey = `data/${'x'.repeat(1000)}.csv:12`
      await store.markSeen('p:data:1', ['a.csv:10', longKey], 1)
      await other.markSeen('p:data:1', ['a.csv:10', 'b.csv:11'], 2)
      assert.deepEqual([...(await store.seenAmong('p:data:1', ['a.csv:10', 'b.csv:11', 'c.csv:1', longKey]))].sort(), [longKey, 'a.csv:10', 'b.csv:11'].sort())
      assert.deepEqual([...(await store.seenAmong('p:data:2', ['a.csv:10']))], [])
    })

    it('should check and mark more items than one statement may bind', async () => {
      const items = Array.from({ length: 20_000 }, (_, i) => `k/${i}:1`)
      await store.markSeen('p:data:big', items, 1)
      assert.equal((await store.seenAmong('p:data:big', [...items, 'new:1'])).size, items.length)
    })

    it('should forget a trigger entirely', async () => {
      await store.forget('p:data:1')
      assert.equal((await store.seenAmong('p:data:1', ['a.csv:10'])).size, 0)
      await store.forget('p:alert:1')
      assert.equal(await store.getCursor('p:alert:1'), undefined)
    })
  })
}
