import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus, { ElMessageBox } from 'element-plus'

const backend = vi.hoisted(() => ({
  statsFigures: vi.fn(),
  statsReport: vi.fn(),
  exportStats: vi.fn(),
  exportLedger: vi.fn(),
  openFolder: vi.fn(),
}))
vi.mock('../src/backend', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/backend')>()
  return { ...real, ...backend }
})
// jsdom has no canvas: the charts module is replaced, and its calls recorded.
const charts = vi.hoisted(() => ({ mountChart: vi.fn() }))
vi.mock('../src/charts', () => charts)

import StatisticsView from '../src/views/StatisticsView.vue'
import { BackendError } from '../src/backend'
import type { CountView } from '../src/bindings/CountView'
import type { StatsView } from '../src/bindings/StatsView'

function count(code: string, label: string, n: number, percent: string): CountView {
  return { code, label, count: n, percent, value: Number(percent.replace('%', '')) }
}

/** The source's figures: 201 suggestions, 67 A and 134 B. */
function figures(overrides: Partial<StatsView> = {}): StatsView {
  return {
    session: { id: '2024-s6-3', name: '市六届人大三次会议' },
    sessions: [
      { id: '2024-s6-3', name: '市六届人大三次会议' },
      { id: '2023-s6-2', name: '市六届人大二次会议' },
    ],
    unitName: '市住房城乡建设局',
    asOf: '2024-12-31',
    assignments: 210,
    suggestions: 201,
    multiUnitSuggestions: 88,
    classifiedSuggestions: 201,
    answeredSuggestions: 201,
    concludedSuggestions: 190,
    replying: 201,
    replied: { part: 201, whole: 201, percent: '100.00%' },
    concluded: { part: 199, whole: 210, percent: '94.76%' },
    onTime: { part: 200, whole: 201, percent: '99.50%' },
    avgWorkingDaysToReply: 42.3,
    contact: { part: 201, whole: 201, percent: '100.00%' },
    satisfaction: { part: 3, whole: 3, percent: '100.00%' },
    byState: [
      count('awaiting_receipt', '待签收', 0, '0.00%'),
      count('submitted', '已答复', 11, '5.24%'),
      count('concluded', '已办结', 199, '94.76%'),
    ],
    byRole: [
      count('lead', '主办', 113, '56.22%'),
      count('co_handler', '协办', 88, '43.78%'),
      count('split', '分办', 0, '0.00%'),
    ],
    byCategory: [
      count('A', '已解决或基本解决', 67, '33.33%'),
      count('B', '正在解决或列入计划逐步解决', 134, '66.67%'),
      count('C', '因条件限制暂时难以解决，留作参考', 0, '0.00%'),
      count('D', '留作参考', 0, '0.00%'),
    ],
    byEvaluation: [
      count('satisfied', '满意', 1, '33.34%'),
      count('basically_satisfied', '基本满意', 2, '66.66%'),
      count('dissatisfied', '不满意', 0, '0.00%'),
    ],
    overdue: [
      {
        assignmentId: 'a12-zjj',
        suggestionNumber: 12,
        title: '关于加快老旧小区改造的建议',
        roleLabel: '主办',
        stateLabel: '办理中',
        deadline: '2024-07-01',
        workingDaysOverdue: 5,
      },
    ],
    keySuggestions: [],
    ...overrides,
  }
}

const REPORT =
  '市六届人大三次会议以来的代表建议办理情况\n\n2024年，市住房城乡建设局共承办市六届人大三次会议代表建议201件。其中已解决或基本解决（A类）的67件，约占33.33%；被采纳、列入计划逐步解决（B类）的134件，约占66.67%。'

async function mountView() {
  const w = mount(StatisticsView, { global: { plugins: [ElementPlus] }, attachTo: document.body })
  await flushPromises()
  return w
}

describe('StatisticsView', () => {
  beforeEach(() => {
    for (const f of Object.values(backend)) f.mockReset()
    charts.mountChart.mockReset()
    charts.mountChart.mockReturnValue({ set: vi.fn(), resize: vi.fn(), dispose: vi.fn() })
    backend.statsFigures.mockResolvedValue(figures())
    backend.statsReport.mockResolvedValue({ sessionId: '2024-s6-3', asOf: '2024-12-31', text: REPORT })
    document.body.innerHTML = ''
  })

  it('shows the KPIs, the category shares with two decimals, the overdue list and the report', async () => {
    const w = await mountView()
    expect(backend.statsFigures).toHaveBeenCalledWith(null)
    expect(backend.statsReport).toHaveBeenCalledWith('2024-s6-3')
    expect(w.find('[data-testid="kpi-total"]').text()).toContain('201')
    expect(w.find('[data-testid="kpi-total"]').text()).toContain('多单位88件')
    expect(w.find('[data-testid="kpi-on-time"]').text()).toContain('99.50%')
    expect(w.find('[data-testid="kpi-on-time"]').text()).toContain('200/201')
    expect(w.find('[data-testid="kpi-days"]').text()).toContain('42.3')
    expect(w.find('[data-testid="kpi-contact"]').text()).toContain('100.00%')
    expect(w.find('[data-testid="kpi-satisfaction"]').text()).toContain('100.00%')

    const shares = w.findAll('[data-testid="category-percent"]').map((c) => c.text())
    expect(shares).toEqual(['33.33%', '66.67%', '0.00%', '0.00%'])
    for (const s of shares) expect(s).toMatch(/^\d+\.\d{2}%$/)
    expect(w.find('[data-testid="category-table"]').text()).toContain('A类')
    expect(w.find('[data-testid="evaluation-table"]').text()).toContain('33.34%')
    // Only states that have cases are listed.
    expect(w.find('[data-testid="state-table"]').text()).not.toContain('待签收')
    expect(w.find('[data-testid="state-table"]').text()).toContain('94.76%')

    expect(w.find('[data-testid="overdue-count"]').text()).toBe('1件次')
    expect(w.find('[data-testid="overdue-table"]').text()).toContain('第12号')
    expect(w.find('[data-testid="overdue-table"]').text()).toContain('5个工作日')

    const text = w.find('textarea[data-testid="report-text"]').element as HTMLTextAreaElement
    expect(text.value).toBe(REPORT)
    expect(w.find('[data-testid="report-edited"]').exists()).toBe(false)
    w.unmount()
  })

  it('draws the category ring and the state bars with the stated shares', async () => {
    const w = await mountView()
    expect(charts.mountChart).toHaveBeenCalledTimes(2)
    const [, ring] = charts.mountChart.mock.calls[0]!
    const pie = ring.series[0]
    expect(pie.type).toBe('pie')
    expect(pie.data.map((d: { name: string; value: number }) => [d.name, d.value])).toEqual([
      ['A类', 67],
      ['B类', 134],
    ])
    expect(pie.label.formatter({ name: 'A类', value: 67 })).toBe('A类\n67件 33.33%')
    expect(ring.tooltip.formatter({ name: 'B类', value: 134 })).toBe('B类 134件 66.67%')
    const [, bars] = charts.mountChart.mock.calls[1]!
    expect(bars.yAxis.data).toEqual(['已答复', '已办结'])
    expect(bars.series[0].data).toEqual([11, 199])
    for (const el of w.findAll('[data-testid="chart"]')) expect(el.attributes('aria-label')).toBeTruthy()
    w.unmount()
  })

  it('exports with the chosen format, the PDF with the report as edited', async () => {
    backend.exportStats.mockResolvedValue({ path: '/tmp/2024年代表建议办理统计-市住房城乡建设局.xlsx', format: 'xlsx', substitutions: [] })
    const w = await mountView()
    await w.find('[data-testid="export-xlsx"]').trigger('click')
    await flushPromises()
    expect(backend.exportStats).toHaveBeenLastCalledWith('2024-s6-3', 'xlsx', null)
    expect(w.find('[data-testid="export-done"]').text()).toContain('2024年代表建议办理统计-市住房城乡建设局.xlsx')

    await w.find('textarea[data-testid="report-text"]').setValue(`${REPORT}\n\n今后继续努力。`)
    expect(w.find('[data-testid="report-edited"]').exists()).toBe(true)
    backend.exportStats.mockResolvedValue({ path: '/tmp/统计.pdf', format: 'pdf', substitutions: ['仿宋_GB2312 → Noto Serif CJK SC'] })
    await w.find('[data-testid="export-pdf"]').trigger('click')
    await flushPromises()
    expect(backend.exportStats).toHaveBeenLastCalledWith('2024-s6-3', 'pdf', `${REPORT}\n\n今后继续努力。`)
    expect(w.find('[data-testid="export-done"]').text()).toContain('Noto Serif CJK SC')

    backend.exportStats.mockResolvedValue({ path: '/tmp/报告.docx', format: 'docx', substitutions: [] })
    await w.find('[data-testid="report-export"]').trigger('click')
    await flushPromises()
    expect(backend.exportStats).toHaveBeenLastCalledWith('2024-s6-3', 'docx', `${REPORT}\n\n今后继续努力。`)

    backend.exportLedger.mockResolvedValue({ path: '/tmp/台账.xlsx', format: 'ledger', substitutions: [] })
    await w.find('[data-testid="export-ledger"]').trigger('click')
    await flushPromises()
    expect(backend.exportLedger).toHaveBeenCalledWith('2024-s6-3')
    w.unmount()
  })

  it('shows a loading export button and keeps the others disabled until it ends', async () => {
    let finish: (v: unknown) => void = () => {}
    backend.exportLedger.mockReturnValue(new Promise((resolve) => (finish = resolve)))
    const w = await mountView()
    await w.find('[data-testid="export-ledger"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid="export-ledger"]').classes()).toContain('is-loading')
    expect(w.find('[data-testid="export-xlsx"]').attributes('disabled')).toBeDefined()
    await w.find('[data-testid="export-xlsx"]').trigger('click')
    expect(backend.exportStats).not.toHaveBeenCalled()
    finish({ path: '/tmp/台账.xlsx', format: 'ledger', substitutions: [] })
    await flushPromises()
    expect(w.find('[data-testid="export-ledger"]').classes()).not.toContain('is-loading')
    expect(w.find('[data-testid="export-xlsx"]').attributes('disabled')).toBeUndefined()
    w.unmount()
  })

  it('shows export and load errors in Chinese; a cancelled dialog is no error', async () => {
    backend.exportStats.mockRejectedValueOnce(
      new BackendError('export', '无法写入 /mnt/u/统计.xlsx（Permission denied）。请换一个文件夹，或检查磁盘空间和权限。'),
    )
    const w = await mountView()
    await w.find('[data-testid="export-xlsx"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid="export-error"]').text()).toContain('请换一个文件夹')
    expect(w.find('[data-testid="export-done"]').exists()).toBe(false)

    backend.exportStats.mockRejectedValueOnce(new BackendError('cancelled', '已取消导出，未写入任何文件。'))
    await w.find('[data-testid="export-xlsx"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid="export-error"]').exists()).toBe(false)
    w.unmount()

    backend.statsFigures.mockRejectedValue(
      new BackendError('stats.no_session', '本机还没有任何会议的代表建议，暂无统计。请先在状态栏点击“立即同步”，收到交办件后再查看。'),
    )
    const empty = await mountView()
    expect(empty.find('[data-testid="stats-error"]').text()).toContain('立即同步')
    expect(backend.statsReport).toHaveBeenCalledTimes(1)
    expect(empty.find('[data-testid="export-xlsx"]').attributes('disabled')).toBeDefined()
    empty.unmount()
  })

  it('switching the session reloads the figures and the report of that session', async () => {
    const w = await mountView()
    backend.statsFigures.mockResolvedValue(
      figures({ session: { id: '2023-s6-2', name: '市六届人大二次会议' }, suggestions: 180 }),
    )
    const select = w.findComponent({ name: 'ElSelect' })
    select.vm.$emit('update:modelValue', '2023-s6-2')
    await flushPromises()
    expect(backend.statsFigures).toHaveBeenLastCalledWith('2023-s6-2')
    expect(backend.statsReport).toHaveBeenLastCalledWith('2023-s6-2')
    expect(w.find('[data-testid="kpi-total"]').text()).toContain('180')
    w.unmount()
  })

  it('asks before an edited report is replaced, and keeps it when the user says no', async () => {
    const confirm = vi.spyOn(ElMessageBox, 'confirm').mockRejectedValueOnce('cancel')
    const w = await mountView()
    await w.find('textarea[data-testid="report-text"]').setValue('我改过的报告')
    w.findComponent({ name: 'ElSelect' }).vm.$emit('update:modelValue', '2023-s6-2')
    await flushPromises()
    expect(confirm).toHaveBeenCalledTimes(1)
    expect(backend.statsFigures).toHaveBeenCalledTimes(1)
    expect((w.find('textarea[data-testid="report-text"]').element as HTMLTextAreaElement).value).toBe('我改过的报告')

    confirm.mockResolvedValueOnce('confirm' as never)
    await w.find('[data-testid="report-regenerate"]').trigger('click')
    await flushPromises()
    expect(backend.statsReport).toHaveBeenCalledTimes(2)
    expect((w.find('textarea[data-testid="report-text"]').element as HTMLTextAreaElement).value).toBe(REPORT)
    expect(w.find('[data-testid="report-edited"]').exists()).toBe(false)
    w.unmount()
  })

  it('copies the report to the clipboard', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const w = await mountView()
    await w.find('[data-testid="report-copy"]').trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith(REPORT)
    w.unmount()
  })
})
