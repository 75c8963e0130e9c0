// ECharts, imported piece by piece: the bar and pie charts, the components
// the statistics view uses and the canvas renderer, not the whole library
// (keeps the bundle small). Components draw charts only through this module,
// so tests replace it (jsdom has no canvas).
import * as echarts from 'echarts/core'
import { BarChart, PieChart } from 'echarts/charts'
import type { BarSeriesOption, PieSeriesOption } from 'echarts/charts'
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import type {
  AriaComponentOption,
  GridComponentOption,
  LegendComponentOption,
  TooltipComponentOption,
} from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, PieChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

/** The options the statistics charts use (type-checked against ECharts). */
export type ChartOption = echarts.ComposeOption<
  | BarSeriesOption
  | PieSeriesOption
  | AriaComponentOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
>

export interface ChartHandle {
  set(option: ChartOption): void
  resize(): void
  dispose(): void
}

/** Draws `option` into `el`; the handle updates, resizes and frees it. */
export function mountChart(el: HTMLElement, option: ChartOption): ChartHandle {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' })
  chart.setOption(option)
  return {
    set: (o) => chart.setOption(o, { notMerge: true }),
    resize: () => chart.resize(),
    dispose: () => chart.dispose(),
  }
}
