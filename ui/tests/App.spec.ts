import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'

const backend = vi.hoisted(() => ({
  appStatus: vi.fn(),
  workbench: vi.fn(),
  syncStatus: vi.fn(),
  search: vi.fn(),
  statsFigures: vi.fn(),
  statsReport: vi.fn(),
}))
vi.mock('../src/backend', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/backend')>()
  return { ...real, ...backend }
})

import App from '../src/App.vue'
import { BackendError } from '../src/backend'
import { sampleWorkbench } from './fixtures'
import type { AppStatus } from '../src/bindings/AppStatus'

const liaison: AppStatus = {
  mode: 'local',
  serverUrl: null,
  caFile: null,
  user: { userId: 'fgw-liaison', name: '王晓梅', role: 'liaison', roleLabel: '联络员', unitId: 'fgw' },
  approver: null,
  dataDir: '/tmp/x',
}

async function mountApp() {
  const wrapper = mount(App, { global: { plugins: [ElementPlus] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('App', () => {
  beforeEach(() => {
    for (const f of Object.values(backend)) f.mockReset()
    backend.syncStatus.mockResolvedValue({
      configured: false,
      phase: 'idle',
      phaseLabel: '本地演示（未连接平台）',
      lastSuccess: null,
      pending: 0,
      pullDone: 0,
      pullTotal: 0,
      offline: false,
      error: null,
    })
    document.body.innerHTML = ''
  })

  it('opens on the workbench when someone is logged in', async () => {
    backend.appStatus.mockResolvedValue(liaison)
    backend.workbench.mockResolvedValue(sampleWorkbench())
    const wrapper = await mountApp()
    expect(wrapper.find('[data-testid="current-user"]').text()).toContain('王晓梅')
    expect(wrapper.find('[data-testid="local-demo"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="assignment-count"]').text()).toBe('4')
    expect(wrapper.find('[data-testid="status-bar"]').text()).toContain('本地演示')
    wrapper.unmount()
  })

  it('shows the login screen when connected but not logged in', async () => {
    backend.appStatus.mockResolvedValue({ ...liaison, mode: 'server', serverUrl: 'http://127.0.0.1:8787', user: null })
    const wrapper = await mountApp()
    expect(wrapper.find('[data-testid="connect"]').exists()).toBe(true)
    expect((wrapper.find('input[data-testid="server-url"]').element as HTMLInputElement).value).toBe(
      'http://127.0.0.1:8787',
    )
    expect(backend.workbench).not.toHaveBeenCalled()
    wrapper.unmount()
  })

  it('shows the Chinese message when the shell cannot start, and retries', async () => {
    backend.appStatus.mockRejectedValueOnce(new BackendError('data_dir', '无法确定数据目录，请设置 JIANBAN_DATA_DIR。'))
    const wrapper = await mountApp()
    expect(wrapper.find('[data-testid="load-error"]').text()).toContain('无法确定数据目录')
    backend.appStatus.mockResolvedValueOnce(liaison)
    backend.workbench.mockResolvedValue(sampleWorkbench())
    await wrapper.find('[data-testid="retry"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="load-error"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('统计 in the menu opens the statistics, and the workbench is still there on return', async () => {
    backend.appStatus.mockResolvedValue(liaison)
    backend.workbench.mockResolvedValue(sampleWorkbench())
    backend.statsFigures.mockRejectedValue(
      new BackendError('stats.no_session', '本机还没有任何会议的代表建议，暂无统计。请先在状态栏点击“立即同步”，收到交办件后再查看。'),
    )
    const wrapper = await mountApp()
    const nav = wrapper.find('[data-testid="nav-statistics"]')
    expect(nav.attributes('disabled')).toBeUndefined()
    await nav.trigger('click')
    // The statistics screen is its own chunk, loaded on first open.
    await vi.dynamicImportSettled()
    await flushPromises()
    expect(wrapper.find('[data-testid="statistics"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="stats-error"]').text()).toContain('立即同步')
    expect(nav.attributes('aria-current')).toBe('page')
    await wrapper.find('[data-testid="nav-workbench"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="assignment-count"]').text()).toBe('4')
    wrapper.unmount()
  })
})
