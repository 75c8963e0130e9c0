// The statistics view's presentation: KPI texts and chart options. Pure
// functions; the shares themselves come from the shell already rounded to
// two decimals (largest remainder, so a list adds up to 100.00%), and are
// shown as given, never recomputed here.
import type { ChartOption } from './charts'
import type { CountView } from './bindings/CountView'
import type { RateView } from './bindings/RateView'

/** `93.06%`, or a dash when there is nothing to count yet. */
export function rateText(r: RateView): string {
  return r.percent ?? '—'
}

/** `67/72`, the parts of a rate. */
export function rateParts(r: RateView): string {
  return r.whole === 0 ? '暂无' : `${r.part}/${r.whole}`
}

/** 12.3 → `12.3`; none → a dash. */
export function daysText(d: number | null): string {
  return d === null ? '—' : d.toFixed(1)
}

const CATEGORY_COLOURS: Record<string, string> = {
  A: '#3d8b5a',
  B: '#3f6fb0',
  C: '#c48a2c',
  D: '#8a8f99',
}

/** `A类`, `B类` … */
export function categoryName(c: CountView): string {
  return `${c.code}类`
}

function percentOf(list: CountView[], name: string, key: (c: CountView) => string): string {
  return list.find((c) => key(c) === name)?.percent ?? ''
}

/** A/B/C/D as a ring; labels carry the count and the stated share. */
export function categoryChart(categories: CountView[]): ChartOption {
  const shown = categories.filter((c) => c.count > 0)
  const text = (p: unknown, sep: string): string => {
    const q = p as { name: string; value: unknown }
    return `${q.name}${sep}${String(q.value)}件 ${percentOf(categories, q.name, categoryName)}`
  }
  return {
    aria: { enabled: true },
    tooltip: { trigger: 'item', formatter: (p: unknown) => text(p, ' ') },
    legend: { show: false },
    series: [
      {
        type: 'pie',
        name: '办理结果类别',
        radius: ['38%', '62%'],
        avoidLabelOverlap: true,
        // Two short lines fit beside the ring in a narrow panel.
        label: { formatter: (p: unknown) => text(p, '\n'), fontSize: 12, lineHeight: 16 },
        data: shown.map((c) => ({
          name: categoryName(c),
          value: c.count,
          itemStyle: { color: CATEGORY_COLOURS[c.code] ?? '#8a8f99' },
        })),
      },
    ],
  }
}

/** The states that have cases, as horizontal bars in the workflow's order. */
export function stateChart(states: CountView[]): ChartOption {
  const shown = states.filter((c) => c.count > 0)
  return {
    aria: { enabled: true },
    tooltip: {
      trigger: 'item',
      formatter: (p: unknown) => {
        const q = p as { name: string; value: unknown }
        return `${q.name} ${String(q.value)}件次 ${percentOf(states, q.name, (c) => c.label)}`
      },
    },
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eceef2' } } },
    yAxis: { type: 'category', inverse: true, data: shown.map((c) => c.label), axisTick: { show: false } },
    series: [
      {
        type: 'bar',
        name: '办理状态',
        barMaxWidth: 16,
        itemStyle: { color: '#5b7fb5' },
        label: { show: true, position: 'right', formatter: '{c}' },
        data: shown.map((c) => c.count),
      },
    ],
  }
}
