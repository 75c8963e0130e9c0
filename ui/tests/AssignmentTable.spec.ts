import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import AssignmentTable from '../src/components/AssignmentTable.vue'
import { sampleRows } from './fixtures'

async function mountTable(rows = sampleRows) {
  const wrapper = mount(AssignmentTable, {
    props: { rows },
    global: { plugins: [ElementPlus] },
    attachTo: document.body,
  })
  await flushPromises()
  return wrapper
}

function rowOf(wrapper: Awaited<ReturnType<typeof mountTable>>, number: string) {
  const cell = wrapper
    .findAll('[data-testid="suggestion-number"]')
    .find((c) => c.text() === number)
  expect(cell, `row ${number}`).toBeDefined()
  return cell!.element.closest('tr')!
}

describe('AssignmentTable', () => {
  it('shows one row per assignment with number, title, role and state', async () => {
    const wrapper = await mountTable()
    expect(wrapper.findAll('[data-testid="suggestion-number"]')).toHaveLength(sampleRows.length)

    const tr = rowOf(wrapper, '第39号')
    expect(tr.textContent).toContain('关于推动我市民营经济高质量发展的建议')
    expect(tr.textContent).toContain('市发展改革委')
    expect(tr.textContent).toContain('主办')
    expect(tr.textContent).toContain('起草中')

    expect(rowOf(wrapper, '第12号').textContent).toContain('协办')
    expect(rowOf(wrapper, '第7号').textContent).toContain('分办')
    wrapper.unmount()
  })

  it('sorts by suggestion number by default', async () => {
    const wrapper = await mountTable()
    const numbers = wrapper.findAll('[data-testid="suggestion-number"]').map((c) => c.text())
    expect(numbers).toEqual(['第7号', '第8号', '第9号', '第10号', '第12号', '第39号'])
    wrapper.unmount()
  })

  it('marks key suggestions only', async () => {
    const wrapper = await mountTable()
    const marks = wrapper.findAll('[data-testid="key-mark"]')
    expect(marks).toHaveLength(1)
    expect(marks[0]!.text()).toBe('重点')
    expect(marks[0]!.element.closest('tr')).toBe(rowOf(wrapper, '第39号'))
    wrapper.unmount()
  })

  it('colours the deadline badge by warning level', async () => {
    const wrapper = await mountTable()
    const badge = (number: string) =>
      rowOf(wrapper, number).querySelector('[data-testid="deadline-badge"]')!

    expect(badge('第12号').classList).toContain('deadline-badge--overdue')
    expect(badge('第12号').classList).toContain('el-tag--danger')
    expect(badge('第12号').textContent).toContain('已逾期')
    expect(badge('第7号').classList).toContain('deadline-badge--within3')
    expect(badge('第7号').classList).toContain('el-tag--warning')
    expect(badge('第8号').classList).toContain('deadline-badge--within7')
    expect(badge('第9号').classList).toContain('deadline-badge--within15')
    expect(badge('第9号').classList).toContain('el-tag--primary')
    expect(badge('第39号').classList).toContain('deadline-badge--normal')
    expect(badge('第39号').classList).toContain('el-tag--info')
    expect(badge('第39号').textContent?.trim()).toBe('2024-06-28')
    expect(badge('第12号').getAttribute('aria-label')).toBe('办理期限 2024-04-28，已逾期')

    const none = rowOf(wrapper, '第10号')
    expect(none.querySelector('[data-testid="deadline-badge"]')).toBeNull()
    expect(none.querySelector('[data-testid="deadline-none"]')?.textContent).toBe('—')
    wrapper.unmount()
  })

  it('says so when there is nothing to handle', async () => {
    const wrapper = await mountTable([])
    expect(wrapper.findAll('[data-testid="suggestion-number"]')).toHaveLength(0)
    expect(wrapper.text()).toContain('暂无交办件')
    wrapper.unmount()
  })
})
