import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'

const backend = vi.hoisted(() => ({
  approvalQueue: vi.fn(),
  decide: vi.fn(),
  decisionHistory: vi.fn(),
  loginLocal: vi.fn(),
  preview: vi.fn(),
  caseDetail: vi.fn(),
  revisions: vi.fn(),
  revisionFields: vi.fn(),
}))
vi.mock('../src/backend', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/backend')>()
  return { ...real, ...backend }
})

import ApprovalView from '../src/views/ApprovalView.vue'
import { BackendError } from '../src/backend'
import { detail, row } from './fixtures'
import type { ReplyFields } from '../src/bindings/ReplyFields'

const head = { userId: 'fgw-head', name: '李德明', role: 'head' as const, roleLabel: '主要负责人', unitId: 'fgw' }
const item = {
  row: row({ state: 'awaitingApproval', stateLabel: '待审核' }),
  stepTitle: '主要负责人审核签发',
  revision: { number: 5, hash: 'abc123', author: 'fgw-liaison', savedAt: '2024-06-01 10:00:00', restoredFrom: null },
}

describe('ApprovalView', () => {
  beforeEach(() => {
    for (const f of Object.values(backend)) f.mockReset()
    backend.caseDetail.mockResolvedValue(detail())
    backend.revisions.mockResolvedValue([])
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

  it('beside the letter: the suggestion, the contacts, and what changed since the last return', async () => {
    const fields = (body: string): ReplyFields => ({
      category: 'A',
      disclosure: 'active',
      docNumber: '宿发改建复〔2024〕5号',
      title: '对市六届人大三次会议第39号建议的答复',
      salutation: '张建国代表：',
      body,
      contactPerson: '王晓梅',
      contactPhone: '0557-3021234',
      cc: [],
    })
    backend.approvalQueue.mockResolvedValue([item])
    backend.preview.mockResolvedValue({ pages: ['<svg/>'], substitutions: [] })
    backend.decisionHistory.mockResolvedValue([
      { at: '2024-05-20 09:00', stepTitle: '主要负责人审核签发', signerName: '李德明', roleLabel: '主要负责人', approve: false, comment: '补充资金数额', revision: 'old777' },
    ])
    backend.caseDetail.mockResolvedValue(
      detail({
        text: '建议设立民营企业纾困基金。',
        contacts: [{ id: 'c1', mode: 'phone', modeLabel: '电话', date: '2024-05-10', people: '王晓梅、张建国', summary: '代表希望明确资金规模。' }],
      }),
    )
    backend.revisions.mockResolvedValue([
      { number: 3, hash: 'old777aaaa', author: 'fgw-liaison', savedAt: '2024-05-19 10:00:00', restoredFrom: null },
      { number: 5, hash: 'abc123', author: 'fgw-liaison', savedAt: '2024-06-01 10:00:00', restoredFrom: null },
    ])
    backend.revisionFields.mockImplementation((_id: string, n: number) =>
      Promise.resolve(fields(n === 3 ? '我委将设立纾困基金。' : '我委将设立2亿元纾困基金。')),
    )
    const w = mount(ApprovalView, { props: { approver: head }, global: { plugins: [ElementPlus] } })
    await flushPromises()
    await w.find('[data-testid="approval-item"]').trigger('click')
    await flushPromises()

    expect(w.find('[data-testid="approval-suggestion"]').text()).toContain('建议设立民营企业纾困基金')
    expect(w.find('[data-testid="approval-contacts"]').text()).toContain('代表希望明确资金规模')
    expect(w.find('[data-testid="approval-changes-tab"]').text()).toBe('修改对比（较第3版）')
    expect(backend.revisionFields).toHaveBeenCalledWith('a-39-fgw', 3)
    expect(backend.revisionFields).toHaveBeenCalledWith('a-39-fgw', 5)
    const changes = w.find('[data-testid="approval-changes"]')
    expect(changes.find('.diff .added').text()).toBe('2亿元')
    expect(changes.findAll('.diff .removed')).toHaveLength(0)
  })

  it('a first submission has nothing to compare, and no contacts is a warning; the letter shows even if they cannot be read', async () => {
    backend.approvalQueue.mockResolvedValue([item])
    backend.preview.mockResolvedValue({ pages: ['<svg/>'], substitutions: [] })
    backend.decisionHistory.mockResolvedValue([])
    const w = mount(ApprovalView, { props: { approver: head }, global: { plugins: [ElementPlus] } })
    await flushPromises()
    await w.find('[data-testid="approval-item"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid="approval-changes-tab"]').text()).toBe('修改对比')
    expect(w.find('[data-testid="approval-changes"]').exists()).toBe(false)
    expect(w.find('[data-testid="approval-contacts"]').text()).toContain('尚无与代表的沟通记录')
    expect(backend.revisions).not.toHaveBeenCalled()

    backend.caseDetail.mockRejectedValue(new BackendError('store.not_found', '找不到该交办件。'))
    await w.find('[data-testid="approval-item"]').trigger('click')
    await flushPromises()
    expect(w.findAll('img.page')).toHaveLength(1)
    expect(w.text()).toContain('建议原文和沟通记录未能读取：找不到该交办件。')
  })
})
