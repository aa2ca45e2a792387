import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

/** Ten colours that stay apart for common colour-vision deficiencies (Tableau 10). */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']

export interface ChartSeries {
  label: string
  values: Array<number | null>
  color?: string
}

export interface ChartMarker {
  x: number
  label: string
  color: string
}

export interface LineChartProps {
  title: string
  x: number[]
  series: ChartSeries[]
  /** x holds Unix seconds (time axis) rather than steps. */
  time?: boolean
  xLabel?: string
  yLabel?: string
  height?: number
  markers?: ChartMarker[]
  note?: string
  /** Called once the chart has drawn (the compare benchmark times this). */
  onDrawn?: () => void
}

/** Vertical lines at given x values (alerts), drawn after the series. */
function markerPlugin(markers: ChartMarker[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const { ctx } = u
        const top = u.bbox.top
        const bottom = u.bbox.top + u.bbox.height
        ctx.save()
        for (const m of markers) {
          const px = u.valToPos(m.x, 'x', true)
          if (px < u.bbox.left || px > u.bbox.left + u.bbox.width) continue
          ctx.strokeStyle = m.color
          ctx.lineWidth = 2 * uPlot.pxRatio
          ctx.setLineDash([4 * uPlot.pxRatio, 3 * uPlot.pxRatio])
          ctx.beginPath()
          ctx.moveTo(px, top)
          ctx.lineTo(px, bottom)
          ctx.stroke()
        }
        ctx.restore()
      },
    },
  }
}

function options(props: LineChartProps, width: number): uPlot.Options {
  return {
    width,
    height: props.height ?? 240,
    // One x value alone makes uPlot span years around it; give it a neighbourhood instead.
    scales: { x: props.x.length === 1 ? { time: props.time ?? false, range: [props.x[0]! - (props.time ? 3600 : 1), props.x[0]! + (props.time ? 3600 : 1)] } : { time: props.time ?? false } },
    axes: [
      { label: props.xLabel, stroke: '#4f5866', grid: { stroke: '#eceff3' } },
      { label: props.yLabel, stroke: '#4f5866', grid: { stroke: '#eceff3' }, size: 60 },
    ],
    series: [
      { label: props.xLabel ?? (props.time ? 'time' : 'step') },
      ...props.series.map((s, i) => ({ label: s.label, stroke: s.color ?? PALETTE[i % PALETTE.length], width: 1.5, spanGaps: true, points: { show: props.x.length < 60, size: 5 } })),
    ],
    cursor: { drag: { x: true, y: false } },
    plugins: props.markers?.length ? [markerPlugin(props.markers)] : [],
  }
}

/** A uPlot line chart with axes and a legend that follows the container's width. */
export function LineChart(props: LineChartProps) {
  const holder = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const element = holder.current!
    const data = [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData
    const chart = new uPlot(options(props, Math.max(300, element.clientWidth)), data, element)
    props.onDrawn?.()
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(300, element.clientWidth), height: props.height ?? 240 }))
    observer.observe(element)
    return () => {
      observer.disconnect()
      chart.destroy()
    }
  }, [props.x, props.series, props.markers])
  return (
    <figure class="chart" style={{ margin: '0 0 16px' }}>
      <h3>{props.title}</h3>
      <div ref={holder} role="img" aria-label={`Chart: ${props.title}`} />
      {props.note && <figcaption class="note">{props.note}</figcaption>}
    </figure>
  )
}
