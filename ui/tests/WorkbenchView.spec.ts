import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'

const backend = vi.hoisted(() => ({ workbench: vi.fn(), search: vi.fn() }))
vi.mock('../src/backend', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/backend')>()
  return { ...real, ...backend }
})

import WorkbenchView from '../src/views/WorkbenchView.vue'
import { BackendError } from '../src/backend'
import { sampleWorkbench, wbRow } from './fixtures'

async function mountView() {
  const wrapper = mount(WorkbenchView, { global: { plugins: [ElementPlus] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('WorkbenchView', () => {
  beforeEach(() => {
    backend.workbench.mockReset()
    backend.search.mockReset()
    document.body.innerHTML = ''
  })

  it('shows the counts of every group and the rows, overdue first with coloured badges', async () => {
    backend.workbench.mockResolvedValue(sampleWorkbench())
    const w = await mountView()
    expect(w.find('[data-testid="count-overdue"]').text()).toContain('1')
    expect(w.find('[data-testid="count-awaitingReceipt"]').text()).toContain('待签收')
    const numbers = w.findAll('[data-testid="suggestion-number"]').map((n) => n.text())
    expect(numbers[0]).toBe('第12号')
    expect(numbers).toHaveLength(4)
    const badge = w.find('[data-testid="deadline-badge"][data-warning="overdue"]')
    expect(badge.classes()).toContain('deadline-badge--overdue')
    expect(w.findAll('[data-testid="deadline-none"]')).toHaveLength(1)
    expect(w.findAll('[data-testid="key-mark"]')).toHaveLength(1)
    w.unmount()
  })

  it('filters by a count and by typed text, and emits open on a row click', async () => {
    backend.workbench.mockResolvedValue(sampleWorkbench())
    const w = await mountView()
    await w.find('[data-testid="count-dueSoon"]').trigger('click')
    expect(w.find('[data-testid="shown-count"]').text()).toBe('1')
    expect(w.find('[data-testid="count-dueSoon"]').attributes('aria-pressed')).toBe('true')
    await w.find('[data-testid="count-dueSoon"]').trigger('click')
    expect(w.find('[data-testid="shown-count"]').text()).toBe('4')

    await w.find('input[data-testid="search"]').setValue('39')
    expect(w.find('[data-testid="shown-count"]').text()).toBe('1')
    await w.find('[data-testid="suggestion-number"]').trigger('click')
    expect(w.emitted('open')?.[0]).toEqual(['a-39-fgw'])
    w.unmount()
  })

  it('adds full-text hits after a pause', async () => {
    vi.useFakeTimers()
    backend.workbench.mockResolvedValue(sampleWorkbench())
    backend.search.mockResolvedValue([
      { kind: 'draft', kindLabel: '答复稿', suggestionId: 's12', suggestionNumber: 12, title: 'x' },
    ])
    const w = await mountView()
    await w.find('input[data-testid="search"]').setValue('医院')
    expect(w.find('[data-testid="shown-count"]').text()).toBe('0')
    await vi.advanceTimersByTimeAsync(300)
    await flushPromises()
    expect(backend.search).toHaveBeenCalledWith('医院')
    expect(w.find('[data-testid="shown-count"]').text()).toBe('1')
    vi.useRealTimers()
    w.unmount()
  })

  it('Ctrl+F focuses the search box', async () => {
    backend.workbench.mockResolvedValue(sampleWorkbench([wbRow()]))
    const w = await mountView()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'f', ctrlKey: true }))
    expect(document.activeElement).toBe(w.find('input[data-testid="search"]').element)
    w.unmount()
  })

  it('renders only the visible part of 10,000 rows', async () => {
    const many = Array.from({ length: 10000 }, (_, i) =>
      wbRow({ assignmentId: `a${i}`, suggestionId: `s${i}`, suggestionNumber: i + 1 }),
    )
    backend.workbench.mockResolvedValue(sampleWorkbench(many))
    const w = await mountView()
    expect(w.find('[data-testid="assignment-count"]').text()).toBe('10000')
    const rendered = w.findAll('[data-testid="suggestion-number"]').length
    expect(rendered).toBeGreaterThan(0)
    expect(rendered).toBeLessThan(200)
    w.unmount()
  })

  it('shows the Chinese error and retries', async () => {
    backend.workbench.mockRejectedValueOnce(new BackendError('store.busy', '本地数据文件被其他程序占用，请关闭其他建办窗口后重试。'))
    const w = await mountView()
    expect(w.find('[data-testid="load-error"]').text()).toContain('被其他程序占用')
    backend.workbench.mockResolvedValueOnce(sampleWorkbench())
    await w.find('[data-testid="retry"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid="load-error"]').exists()).toBe(false)
    w.unmount()
  })
})
