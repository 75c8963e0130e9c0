import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'

const backend = vi.hoisted(() => ({
  replyDraft: vi.fn(),
  saveDraft: vi.fn(),
  preview: vi.fn(),
  replyTemplate: vi.fn(),
  submitForApproval: vi.fn(),
  revisions: vi.fn(),
  revisionFields: vi.fn(),
  restoreRevision: vi.fn(),
}))
vi.mock('../src/backend', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/backend')>()
  return { ...real, ...backend }
})

import ReplyEditor from '../src/views/ReplyEditor.vue'
import type { ReplyFields } from '../src/bindings/ReplyFields'

const fields: ReplyFields = {
  category: null,
  disclosure: 'active',
  docNumber: '宿发改建复〔2024〕号',
  title: '关于市六届人大三次会议第39号建议的答复',
  salutation: '张三代表：',
  body: '您提出的建议收悉。',
  contactPerson: '',
  contactPhone: '',
  cc: ['市政府办公室'],
}

function revision(number: number) {
  return { number, hash: `h${number}`, author: 'fgw-liaison', savedAt: '2024-06-01 10:00:00', restoredFrom: null }
}

async function mountEditor() {
  const w = mount(ReplyEditor, { props: { id: 'a039-fgw' }, global: { plugins: [ElementPlus] }, attachTo: document.body })
  await flushPromises()
  return w
}

describe('ReplyEditor', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    for (const f of Object.values(backend)) f.mockReset()
    localStorage.clear()
    document.body.innerHTML = ''
    backend.replyDraft.mockResolvedValue({
      fields,
      revision: revision(3),
      editable: true,
      blockers: ['请选择办理结果类别（A/B/C/D）', '请填写联系人'],
      isOpinion: false,
    })
    backend.preview.mockResolvedValue({ pages: ['<svg xmlns="http://www.w3.org/2000/svg"></svg>'], substitutions: ['仿宋 → Noto Serif CJK SC'] })
    backend.saveDraft.mockImplementation(async () => ({
      revision: revision(4),
      blockers: ['请填写联系人'],
      state: 'drafting',
      stateLabel: '起草中',
    }))
  })
  afterEach(() => vi.useRealTimers())

  it('lists what blocks submission before the liaison tries', async () => {
    const w = await mountEditor()
    const list = w.find('[data-testid="editor-blockers"]')
    expect(list.text()).toContain('请选择办理结果类别')
    expect(list.text()).toContain('请填写联系人')
    expect(w.find('[data-testid="save-state"]').text()).toBe('已保存（第3版）')
    w.unmount()
  })

  it('saves a revision within a second of the last keystroke, without blocking typing', async () => {
    const w = await mountEditor()
    const body = w.find('textarea[data-testid="body"]')
    await body.setValue('您提出的建议收悉。经认真研究')
    expect(w.find('[data-testid="save-state"]').attributes('data-state')).toBe('dirty')
    // The crash buffer has the text before the store does.
    expect(localStorage.getItem('jianban.draft.a039-fgw')).toContain('经认真研究')
    expect(backend.saveDraft).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1000)
    await flushPromises()
    expect(backend.saveDraft).toHaveBeenCalledTimes(1)
    expect(backend.saveDraft.mock.calls[0]![1].body).toBe('您提出的建议收悉。经认真研究')
    expect(w.find('[data-testid="save-state"]').text()).toBe('已保存（第4版）')
    expect(localStorage.getItem('jianban.draft.a039-fgw')).toBeNull()
    expect(w.find('[data-testid="editor-blockers"]').text()).not.toContain('结果类别')
    w.unmount()
  })

  it('Ctrl+S saves at once and Ctrl+Enter refuses while something is missing', async () => {
    const w = await mountEditor()
    await w.find('textarea[data-testid="body"]').setValue('新正文')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 's', ctrlKey: true }))
    await flushPromises()
    expect(backend.saveDraft).toHaveBeenCalledTimes(1)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true }))
    await flushPromises()
    expect(backend.submitForApproval).not.toHaveBeenCalled()
    expect(document.body.textContent).toContain('尚不能报送')
    w.unmount()
  })

  it('offers to recover text typed before a crash', async () => {
    localStorage.setItem('jianban.draft.a039-fgw', JSON.stringify({ ...fields, body: '崩溃前输入的正文' }))
    const w = await mountEditor()
    expect(w.find('[data-testid="recovered"]').exists()).toBe(true)
    await w.find('[data-testid="recovered"] button').trigger('click')
    expect((w.find('textarea[data-testid="body"]').element as HTMLTextAreaElement).value).toBe('崩溃前输入的正文')
    await vi.advanceTimersByTimeAsync(1000)
    await flushPromises()
    expect(backend.saveDraft.mock.calls[0]![1].body).toBe('崩溃前输入的正文')
    w.unmount()
  })

  it('shows a diff against an older revision', async () => {
    backend.revisions.mockResolvedValue([revision(3), revision(2)])
    backend.revisionFields.mockResolvedValue({ ...fields, body: '您提出的意见收悉。' })
    const w = await mountEditor()
    await w.find('[data-testid="open-history"]').trigger('click')
    await flushPromises()
    const button = document.body.querySelector('[aria-label="查看第2版与当前内容的差异"]') as HTMLElement
    button.click()
    await flushPromises()
    const diff = document.body.querySelector('[data-testid="diff"]')
    expect(diff?.querySelector('.added')?.textContent).toBe('建议')
    expect(diff?.querySelector('.removed')?.textContent).toBe('意见')
    w.unmount()
  })
})
