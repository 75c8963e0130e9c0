import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'

const backend = vi.hoisted(() => ({
  caseDetail: vi.fn(),
  requestExtension: vi.fn(),
}))
vi.mock('../src/backend', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/backend')>()
  return { ...real, ...backend }
})

import CaseDetailView from '../src/views/CaseDetailView.vue'
import { BackendError } from '../src/backend'
import { isoDate } from '../src/format'
import { detail } from './fixtures'

function mountView() {
  return mount(CaseDetailView, { props: { id: 'a-39-fgw' }, global: { plugins: [ElementPlus] }, attachTo: document.body })
}

describe('CaseDetailView: 申请延期', () => {
  beforeEach(() => {
    for (const f of Object.values(backend)) f.mockReset()
    document.body.innerHTML = ''
  })

  it('sends the date and reason, then shows the request as waiting for the office', async () => {
    backend.caseDetail.mockResolvedValue(detail())
    backend.requestExtension.mockResolvedValue(
      detail({
        actions: { ...detail().actions, requestExtension: false },
        pendingExtension: { until: '2024-08-30', reason: '需协调专项资金', requestedOn: '2024-05-06' },
      }),
    )
    const w = mountView()
    await flushPromises()
    await w.find('[data-testid="action-extension"]').trigger('click')
    await flushPromises()
    const save = document.querySelector<HTMLButtonElement>('[data-testid="extension-save"]')
    expect(save?.disabled).toBe(true)
    const picker = w.findComponent({ name: 'ElDatePicker' })
    picker.vm.$emit('update:modelValue', '2024-08-30')
    const reason = document.querySelector<HTMLTextAreaElement>('[data-testid="extension-reason"] textarea, textarea[data-testid="extension-reason"]')
    expect(reason).not.toBeNull()
    reason!.value = '需协调专项资金'
    reason!.dispatchEvent(new Event('input'))
    await flushPromises()
    expect(save?.disabled).toBe(false)
    save!.click()
    await flushPromises()
    expect(backend.requestExtension).toHaveBeenCalledWith('a-39-fgw', '2024-08-30', '需协调专项资金')
    expect(w.find('[data-testid="pending-extension"]').text()).toContain('申请延期至2024-08-30，待市政府办公室审批')
    expect(w.find('[data-testid="action-extension"]').exists()).toBe(false)
  })

  it('offers only dates after the current reply deadline', async () => {
    backend.caseDetail.mockResolvedValue(detail())
    const w = mountView()
    await flushPromises()
    await w.find('[data-testid="action-extension"]').trigger('click')
    await flushPromises()
    const picker = w.findComponent({ name: 'ElDatePicker' })
    const disabled = picker.props('disabledDate') as (d: Date) => boolean
    expect(disabled(new Date(2024, 5, 28))).toBe(true)
    expect(disabled(new Date(2024, 5, 29))).toBe(false)
  })

  it('shows the rules’ refusal in Chinese', async () => {
    backend.caseDetail.mockResolvedValue(detail())
    backend.requestExtension.mockRejectedValue(
      new BackendError('workflow.invalid_extension', '延期申请不符合规定：延期最长至2024年9月28日（自交办之日起不超过规定期限）。'),
    )
    const w = mountView()
    await flushPromises()
    await w.find('[data-testid="action-extension"]').trigger('click')
    await flushPromises()
    w.findComponent({ name: 'ElDatePicker' }).vm.$emit('update:modelValue', '2024-12-30')
    const reason = document.querySelector<HTMLTextAreaElement>('[data-testid="extension-reason"] textarea, textarea[data-testid="extension-reason"]')!
    reason.value = '跨年度实施'
    reason.dispatchEvent(new Event('input'))
    await flushPromises()
    document.querySelector<HTMLButtonElement>('[data-testid="extension-save"]')!.click()
    await flushPromises()
    expect(document.body.textContent).toContain('延期最长至2024年9月28日')
  })
})

describe('isoDate', () => {
  it('gives the local calendar day', () => {
    expect(isoDate(new Date(2024, 0, 5, 0, 30))).toBe('2024-01-05')
    expect(isoDate(new Date(2024, 11, 31, 23, 59))).toBe('2024-12-31')
  })
})
