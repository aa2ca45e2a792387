import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { inflateSync } from 'node:zlib'
import { CHART_COLORS, renderBarChart } from './bar-chart-renderer.js'
import { compareMetric } from './metric-comparison.js'
import { directionRules } from './metric-direction.js'
import { crc32, encodePng } from './png-encoder.js'

interface Decoded {
  width: number
  height: number
  bitDepth: number
  colorType: number
  pixel: (x: number, y: number) => number[]
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

/** Reverses any PNG row filter, so the test does not depend on which filter the encoder picks. */
function unfilter(raw: Buffer, width: number, height: number): Buffer {
  const stride = width * 3
  const out = Buffer.alloc(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!
      const a = i >= 3 ? out[y * stride + i - 3]! : 0
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0
      const c = i >= 3 && y > 0 ? out[(y - 1) * stride + i - 3]! : 0
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter]
      assert.notEqual(predictor, undefined, `unknown filter ${filter} on row ${y}`)
      out[y * stride + i] = (x + predictor!) & 0xff
    }
  }
  return out
}

/** A small PNG reader: checks the signature and every chunk's CRC, then inflates the IDATs. */
function decodePng(png: Buffer): Decoded {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const chunks: Array<{ type: string; data: Buffer }> = []
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at)
    const type = png.toString('latin1', at + 4, at + 8)
    const data = png.subarray(at + 8, at + 8 + length)
    assert.equal(png.readUInt32BE(at + 8 + length), crc32(png.subarray(at + 4, at + 8 + length)), `CRC of ${type}`)
    chunks.push({ type, data })
    at += 12 + length
  }
  assert.equal(chunks[0]!.type, 'IHDR')
  assert.equal(chunks.at(-1)!.type, 'IEND')
  const ihdr = chunks[0]!.data
  const width = ihdr.readUInt32BE(0)
  const height = ihdr.readUInt32BE(4)
  const pixels = unfilter(inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data))), width, height)
  return { width, height, bitDepth: ihdr[8]!, colorType: ihdr[9]!, pixel: (x, y) => [...pixels.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)] }
}

describe('PNG bar chart', () => {
  const direction = directionRules()
  const metrics = [compareMetric('f1', 0.8, 0.84, direction), compareMetric('rmse', 120, 60, direction), compareMetric('bias', -2, 0, direction)]

  it('should compute the CRC-32 PNG uses', () => {
    assert.equal(crc32(Buffer.from('IEND', 'latin1')), 0xae426082)
    assert.equal(crc32(Buffer.from('123456789', 'latin1')), 0xcbf43926)
  })

  it('should encode a 2×2 image that decodes to the same pixels', () => {
    const pixels = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30])
    const png = decodePng(encodePng({ width: 2, height: 2, pixels }))
    assert.deepEqual([png.width, png.height, png.bitDepth, png.colorType], [2, 2, 8, 2])
    assert.deepEqual([png.pixel(0, 0), png.pixel(1, 0), png.pixel(0, 1), png.pixel(1, 1)], [[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]])
  })

  it('should draw each metric’s bars in the side’s color, scaled to the larger of the two', () => {
    const chart = renderBarChart(metrics)
    const png = decodePng(chart.png)
    assert.deepEqual([png.width, png.height, png.bitDepth, png.colorType], [chart.width, chart.height, 8, 2])
    const bar = (metric: string, side: string) => chart.bars.find((b) => b.metric === metric && b.side === side)!
    for (const b of chart.bars.filter((r) => r.height > 0)) {
      const color = b.side === 'champion' ? CHART_COLORS.champion : CHART_COLORS.challenger
      assert.deepEqual(png.pixel(b.x + b.width / 2, b.y + b.height - 1), [...color], `${b.metric} ${b.side} bottom`)
      assert.deepEqual(png.pixel(b.x + 1, b.y), [...color], `${b.metric} ${b.side} top`)
    }
    const rmseChampion = bar('rmse', 'champion')
    const rmseChallenger = bar('rmse', 'challenger')
    assert.equal(rmseChampion.height, 2 * rmseChallenger.height, 'rmse 120 against 60')
    assert.equal(rmseChampion.y + rmseChampion.height, rmseChallenger.y + rmseChallenger.height, 'one baseline')
    const aboveShorter = rmseChallenger.y - 20
    assert.deepEqual(png.pixel(rmseChallenger.x + 2, aboveShorter), [...CHART_COLORS.background], 'nothing drawn above the shorter bar but its label')
    assert.deepEqual(png.pixel(rmseChampion.x + 2, aboveShorter), [...CHART_COLORS.champion], 'the taller bar reaches higher')
    assert.equal(bar('bias', 'challenger').height, 0, 'a zero draws no bar')
    assert.ok(bar('f1', 'challenger').height > bar('f1', 'champion').height)
  })

  it('should color a metric’s name by whether the challenger is better or worse', () => {
    const chart = renderBarChart(metrics)
    const png = decodePng(chart.png)
    const labelColors = (metric: string) => {
      const b = chart.bars.find((r) => r.metric === metric && r.side === 'champion')!
      const top = b.y + b.height + 8
      const seen = new Set<string>()
      for (let y = top; y < top + 7; y++) for (let x = b.x - 20; x < b.x + 124; x++) seen.add(png.pixel(x, y).join(','))
      return seen
    }
    assert.ok(labelColors('f1').has(CHART_COLORS.better.join(',')))
    assert.ok(labelColors('rmse').has(CHART_COLORS.better.join(',')), 'rmse fell: better')
    assert.ok(labelColors('bias').has(CHART_COLORS.better.join(',')), 'bias rose from -2 to 0: better by default')
    const worse = renderBarChart([compareMetric('log_loss', 0.2, 0.3, direction)])
    const b = worse.bars[0]!
    const wpng = decodePng(worse.png)
    const row = Array.from({ length: 140 }, (_, i) => Array.from({ length: 7 }, (_, j) => wpng.pixel(b.x - 20 + i, b.y + b.height + 8 + j).join(','))).flat()
    assert.ok(row.includes(CHART_COLORS.worse.join(',')))
  })

  it('should stay a valid image with no metrics and with very many', () => {
    assert.equal(decodePng(renderBarChart([]).png).width, 360)
    const many = Array.from({ length: 40 }, (_, i) => compareMetric(`metric_with_a_rather_long_name_${i}`, i, i + 1, direction))
    const chart = renderBarChart(many)
    assert.equal(decodePng(chart.png).width, chart.width)
    assert.equal(chart.bars.length, 80)
  })
})
