import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'

const backend = vi.hoisted(() => ({
  approvalQueue: vi.fn(),
  decide: vi.fn(),
  decisionHistory: vi.fn(),
  loginLocal: vi.fn(),
  preview: vi.fn(),
}))
vi.mock('../src/backend', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/backend')>()
  return { ...real, ...backend }
})

import ApprovalView from '../src/views/ApprovalView.vue'
import { BackendError } from '../src/backend'
import { row } from './fixtures'

const head = { userId: 'fgw-head', name: '李德明', role: 'head' as const, roleLabel: '主要负责人', unitId: 'fgw' }
const item = {
  row: row({ state: 'awaitingApproval', stateLabel: '待审核' }),
  stepTitle: '主要负责人审核签发',
  revision: { number: 5, hash: 'abc123', author: 'fgw-liaison', savedAt: '2024-06-01 10:00:00', restoredFrom: null },
}

describe('ApprovalView', () => {
  beforeEach(() => {
    for (const f of Object.values(backend)) f.mockReset()
    document.body.innerHTML = ''
  })

  it('asks an approver to log in and says until when a locked account waits', async () => {
    backend.loginLocal.mockRejectedValueOnce(
      new BackendError('signoff.locked', '密码连续输错次数过多，账户已锁定至2024年6月1日 10:15，请届时再试或联系管理员。'),
    )
    const w = mount(ApprovalView, { props: { approver: null }, global: { plugins: [ElementPlus] } })
    await w.find('input[data-testid="approver-user"]').setValue('fgw-head')
    await w.find('input[data-testid="approver-password"]').setValue('x')
    await w.find('[data-testid="approver-login"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid="approver-login-error"]').text()).toContain('锁定至2024年6月1日 10:15')
    backend.loginLocal.mockResolvedValueOnce(head)
    await w.find('[data-testid="approver-login"]').trigger('click')
    await flushPromises()
    expect(w.emitted('logged-in')?.[0]).toEqual([head])
  })

  it('loads the queue of the head who has just logged in', async () => {
    backend.approvalQueue.mockResolvedValue([item])
    const w = mount(ApprovalView, { props: { approver: null }, global: { plugins: [ElementPlus] } })
    await flushPromises()
    expect(backend.approvalQueue).not.toHaveBeenCalled()
    await w.setProps({ approver: head })
    await flushPromises()
    expect(w.findAll('[data-testid="approval-item"]')).toHaveLength(1)
  })

  it('shows the queue and approves the exact revision with the password', async () => {
    backend.approvalQueue.mockResolvedValue([item])
    backend.preview.mockResolvedValue({ pages: ['<svg/>'], substitutions: [] })
    backend.decisionHistory.mockResolvedValue([])
    backend.decide.mockResolvedValue([
      { at: '2024-06-01 11:00', stepTitle: '主要负责人审核签发', signerName: '李德明', roleLabel: '主要负责人', approve: true, comment: '同意', revision: 'abc123' },
    ])
    const w = mount(ApprovalView, { props: { approver: head }, global: { plugins: [ElementPlus] } })
    await flushPromises()
    await w.find('[data-testid="approval-item"]').trigger('click')
    await flushPromises()
    expect(backend.preview).toHaveBeenCalledWith('a-39-fgw', null)
    expect(w.find('[data-testid="approve"]').attributes('disabled')).toBeDefined()
    await w.find('input[data-testid="decide-password"]').setValue('jianban-demo')
    backend.approvalQueue.mockResolvedValue([])
    await w.find('[data-testid="approve"]').trigger('click')
    await flushPromises()
    expect(backend.decide).toHaveBeenCalledWith({
      assignmentId: 'a-39-fgw',
      revisionHash: 'abc123',
      approve: true,
      comment: '',
      password: 'jianban-demo',
    })
    expect(w.find('[data-testid="decision-history"]').text()).toContain('李德明')
    expect(w.find('[data-testid="decided"]').exists()).toBe(true)
    expect(w.find('[data-testid="approve"]').exists()).toBe(false)
  })

  it('Ctrl+Enter signs off once the password is typed', async () => {
    backend.approvalQueue.mockResolvedValue([item])
    backend.preview.mockResolvedValue({ pages: [], substitutions: [] })
    backend.decisionHistory.mockResolvedValue([])
    backend.decide.mockResolvedValue([])
    const w = mount(ApprovalView, { props: { approver: head }, global: { plugins: [ElementPlus] } })
    await flushPromises()
    await w.find('[data-testid="approval-item"]').trigger('click')
    await flushPromises()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true }))
    await flushPromises()
    expect(backend.decide).not.toHaveBeenCalled()
    await w.find('input[data-testid="decide-password"]').setValue('jianban-demo')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true }))
    await flushPromises()
    expect(backend.decide).toHaveBeenCalledTimes(1)
    expect(backend.decide.mock.calls[0]![0].approve).toBe(true)
    w.unmount()
  })
})
