import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseMonitorSpecYaml } from './monitor-spec-file.js'

const good = ['name: watch', 'deployment: api', "schedule: '*/5 * * * *'", 'window: 1h', 'conditions:', '  - type: latency_p99', '    max_ms: 200', ''].join('\n')

describe('monitor spec YAML', () => {
  it('should read a spec', () => {
    const { spec } = parseMonitorSpecYaml(good, 'm.yaml')
    assert.deepEqual([spec.name, spec.schedule, spec.conditions[0]!.type], ['watch', { cron: '*/5 * * * *' }, 'latency_p99'])
  })

  it('should point at the line and column of a bad value', () => {
    assert.throws(() => parseMonitorSpecYaml(good.replace('max_ms: 200', 'max_ms: fast'), 'm.yaml'), { code: 'INVALID_PARAMETER_VALUE', message: /^m\.yaml:7:13: conditions\[0\]\.max_ms: must be a number/ })
  })

  it('should point a missing field at its parent', () => {
    assert.throws(() => parseMonitorSpecYaml(good.replace('    max_ms: 200\n', ''), 'm.yaml'), { message: /^m\.yaml:6:5: conditions\[0\]\.max_ms: is required/ })
  })

  it('should report YAML syntax errors with their line', () => {
    assert.throws(() => parseMonitorSpecYaml('name: [unclosed\nwindow: 1h\n', 'm.yaml'), { code: 'INVALID_PARAMETER_VALUE', message: /^m\.yaml:\d+:\d+: invalid YAML/ })
  })
})
