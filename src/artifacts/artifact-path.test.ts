import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError } from '../shared/errors.js'
import {
  joinArtifactPath,
  normalizeArtifactFilePath,
  normalizeArtifactPath,
} from './artifact-path.js'

function assertRejected(fn: () => unknown, fragment: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AppError)
    assert.equal(error.code, 'INVALID_PARAMETER_VALUE')
    assert.match(error.message, new RegExp(fragment))
    assert.match(error.message, /must be relative/)
    return true
  })
}

describe('normalizeArtifactPath', () => {
  const traversals: Array<[string, string]> = [
    ['../x', "'\\.\\.' segment"],
    ['a/../../b', "'\\.\\.' segment"],
    ['a/..', "'\\.\\.' segment"],
    ['..', "'\\.\\.' segment"],
    ['%2e%2e/x', "'\\.\\.' segment"],
    ['%2E%2E/x', "'\\.\\.' segment"],
    ['a/%2e%2e/%2e%2e/b', "'\\.\\.' segment"],
    ['..%2fx', "'\\.\\.' segment"],
    ['/etc/passwd', 'is absolute'],
    ['%2fetc/passwd', 'is absolute'],
    ['a\\..\\b', 'backslash'],
    ['a%5c..%5cb', 'backslash'],
    ['..\\x', 'backslash'],
    ['C:\\x', 'backslash'],
    ['C:/x', 'drive letter'],
    ['c:x', 'drive letter'],
    ['a\0b', 'NUL byte'],
    ['a%00b', 'NUL byte'],
    ['x'.repeat(256), 'name longer than 255 bytes'],
    ['ü'.repeat(128), 'name longer than 255 bytes'],
    [`${'d/'.repeat(512)}f`, 'longer than 1024 bytes'],
  ]
  for (const [path, reason] of traversals) {
    it(`rejects ${JSON.stringify(path)}`, () => {
      assertRejected(() => normalizeArtifactPath(path), reason)
    })
  }

  it('names the offending path in the message', () => {
    assertRejected(() => normalizeArtifactPath('../secret'), '"\\.\\./secret"')
  })

  it('rejects non-strings', () => {
    assertRejected(() => normalizeArtifactPath(undefined as unknown as string), 'not a string')
  })

  const normalizations: Array<[string, string]> = [
    ['', ''],
    ['.', ''],
    ['./', ''],
    ['a', 'a'],
    ['a/', 'a'],
    ['./a/./b/', 'a/b'],
    ['a//b///c', 'a/b/c'],
    ['model/model.onnx', 'model/model.onnx'],
    ['a/.b/..c/c..', 'a/.b/..c/c..'],
    ['100%.txt', '100%.txt'],
    ['spaces are fine/ü.txt', 'spaces are fine/ü.txt'],
    ['tag:v1/c', 'tag:v1/c'],
  ]
  for (const [input, expected] of normalizations) {
    it(`normalises ${JSON.stringify(input)} to ${JSON.stringify(expected)}`, () => {
      assert.equal(normalizeArtifactPath(input), expected)
    })
  }

  it('is idempotent', () => {
    for (const [input] of normalizations) {
      const once = normalizeArtifactPath(input)
      assert.equal(normalizeArtifactPath(once), once)
    }
  })
})

describe('normalizeArtifactFilePath', () => {
  it('rejects the root', () => {
    assertRejected(() => normalizeArtifactFilePath('./'), 'names the artifact root')
  })

  it('normalises like normalizeArtifactPath', () => {
    assert.equal(normalizeArtifactFilePath('a//b/'), 'a/b')
  })
})

describe('joinArtifactPath', () => {
  it('joins and normalises parts, skipping empty ones', () => {
    const joined = joinArtifactPath('1', 'run/', '', './artifacts', 'model.onnx')
    assert.equal(joined, '1/run/artifacts/model.onnx')
    assert.equal(joinArtifactPath(), '')
    assert.equal(joinArtifactPath('', '.'), '')
  })

  it('rejects an absolute or traversing part instead of re-rooting', () => {
    assertRejected(() => joinArtifactPath('a', '/etc'), 'is absolute')
    assertRejected(() => joinArtifactPath('a/b', '../../c'), "'\\.\\.' segment")
  })
})
