import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { chooseRoute, stickyBucket } from './traffic-router.js'
import type { DeploymentSpec } from './deployment-entities.js'

const canary: DeploymentSpec = {
  routes: [
    { model: 'churn', alias: 'champion', weight: 90 },
    { model: 'churn', alias: 'challenger', weight: 10 },
  ],
  shadow: { model: 'churn', version: '7', share: 0.25 },
}

function seeded(seed: number): () => number {
  let state = seed
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

describe('chooseRoute', () => {
  it('should split random traffic by weight within a percent over 100,000 requests', () => {
    const random = seeded(7)
    let challenger = 0
    let shadowed = 0
    for (let i = 0; i < 100_000; i++) {
      const decision = chooseRoute(canary, undefined, random)
      if (decision.route.alias === 'challenger') challenger++
      if (decision.shadow) shadowed++
    }
    assert.ok(Math.abs(challenger / 100_000 - 0.1) < 0.01, `challenger share ${challenger / 100_000}`)
    assert.ok(Math.abs(shadowed / 100_000 - 0.25) < 0.01, `shadow share ${shadowed / 100_000}`)
  })

  it('should send the same sticky key to the same route every time', () => {
    for (const key of ['user-1', 'user-2', 'alice', '42']) {
      const first = chooseRoute(canary, key).route
      for (let i = 0; i < 20; i++) assert.equal(chooseRoute(canary, key).route, first)
    }
  })

  it('should split sticky keys by weight', () => {
    let challenger = 0
    for (let i = 0; i < 20_000; i++) if (chooseRoute(canary, `user-${i}`).route.alias === 'challenger') challenger++
    assert.ok(Math.abs(challenger / 20_000 - 0.1) < 0.015, `challenger share ${challenger / 20_000}`)
  })

  it('should always pick the only route of a single-route deployment', () => {
    const spec: DeploymentSpec = { routes: [{ model: 'm', version: '1', weight: 100 }] }
    for (let i = 0; i < 1000; i++) assert.equal(chooseRoute(spec, undefined).route.version, '1')
  })

  it('should spread buckets over the whole range', () => {
    const seen = new Set<number>()
    for (let i = 0; i < 5000; i++) seen.add(Math.floor(stickyBucket(`k${i}`) / 1000))
    assert.equal(seen.size, 10)
  })
})
