import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'

const backend = vi.hoisted(() => ({ listAssignments: vi.fn() }))
vi.mock('../src/backend', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/backend')>()
  return { ...real, listAssignments: backend.listAssignments }
})

import App from '../src/App.vue'
import { BackendError } from '../src/backend'
import { sampleRows } from './fixtures'

async function mountApp() {
  const wrapper = mount(App, { global: { plugins: [ElementPlus] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('App', () => {
  beforeEach(() => {
    backend.listAssignments.mockReset()
    document.body.innerHTML = ''
  })

  it('loads the assignments on start and counts them', async () => {
    backend.listAssignments.mockResolvedValue(sampleRows)
    const wrapper = await mountApp()
    expect(backend.listAssignments).toHaveBeenCalledTimes(1)
    expect(wrapper.find('[data-testid="assignment-count"]').text()).toBe(String(sampleRows.length))
    expect(wrapper.findAll('[data-testid="suggestion-number"]')).toHaveLength(sampleRows.length)
    expect(wrapper.text()).toContain('其中已逾期 1 件')
    expect(wrapper.find('[data-testid="load-error"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('shows the Chinese message when the command fails, and retries', async () => {
    backend.listAssignments.mockRejectedValueOnce(
      new BackendError('store_unavailable', '无法打开数据文件，请检查磁盘空间后重新打开建办。'),
    )
    const wrapper = await mountApp()
    const alert = wrapper.find('[data-testid="load-error"]')
    expect(alert.exists()).toBe(true)
    expect(alert.text()).toContain('交办件列表未能读取')
    expect(alert.text()).toContain('无法打开数据文件，请检查磁盘空间后重新打开建办。')
    expect(document.body.querySelector('.el-message--error')?.textContent).toContain(
      '无法打开数据文件',
    )

    backend.listAssignments.mockResolvedValueOnce(sampleRows)
    await wrapper.find('[data-testid="retry"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="load-error"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-testid="suggestion-number"]')).toHaveLength(sampleRows.length)
    wrapper.unmount()
  })
})
