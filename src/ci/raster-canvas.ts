import { encodePng } from './png-encoder.js'
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows } from './pixel-font.js'

export type Rgb = readonly [number, number, number]

/** A fixed-size RGB drawing surface: rectangles and bitmap text, clipped to its edges. */
export class RasterCanvas {
  readonly width: number
  readonly height: number
  readonly #pixels: Uint8Array

  constructor(width: number, height: number, background: Rgb) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`Bad canvas size ${width}×${height}`)
    this.width = width
    this.height = height
    this.#pixels = new Uint8Array(width * height * 3)
    this.fillRect(0, 0, width, height, background)
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const x0 = Math.max(0, Math.round(x))
    const y0 = Math.max(0, Math.round(y))
    const x1 = Math.min(this.width, Math.round(x + w))
    const y1 = Math.min(this.height, Math.round(y + h))
    for (let py = y0; py < y1; py++) {
      for (let px = x0; px < x1; px++) this.#pixels.set(color, (py * this.width + px) * 3)
    }
  }

  /** Draws text with its top-left corner at (x, y); `scale` enlarges each font pixel to a square. */
  drawText(text: string, x: number, y: number, color: Rgb, scale = 1): void {
    let left = x
    for (const char of text) {
      const rows = glyphRows(char)
      for (let row = 0; row < GLYPH_HEIGHT; row++) {
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          if (rows[row]! & (1 << (GLYPH_WIDTH - 1 - col))) this.fillRect(left + col * scale, y + row * scale, scale, scale, color)
        }
      }
      left += GLYPH_ADVANCE * scale
    }
  }

  static textWidth(text: string, scale = 1): number {
    return Math.max(0, [...text].length * GLYPH_ADVANCE - 1) * scale
  }

  pixel(x: number, y: number): Rgb {
    const at = (y * this.width + x) * 3
    return [this.#pixels[at]!, this.#pixels[at + 1]!, this.#pixels[at + 2]!]
  }

  toPng(): Buffer {
    return encodePng({ width: this.width, height: this.height, pixels: this.#pixels })
  }
}
