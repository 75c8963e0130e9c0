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
  changePassword: vi.fn(),
  logout: vi.fn(),
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
  mustChangePassword: false,
}
const connected: AppStatus = { ...liaison, mode: 'server', serverUrl: 'https://jb.example.gov.cn' }

/** Fills the password form (Element Plus renders it in a teleported dialog). */
async function typePasswords(old: string, next: string, again: string): Promise<void> {
  for (const [id, value] of [['password-old', old], ['password-new', next], ['password-again', again]] as const) {
    const input = document.querySelector<HTMLInputElement>(`[data-testid="${id}"] input, input[data-testid="${id}"]`)
    if (input === null) throw new Error(`no ${id}`)
    input.value = value
    input.dispatchEvent(new Event('input'))
  }
  await flushPromises()
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
      errorCode: null,
      changesReceived: 0,
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

  it('a password the office reset is asked for before anything else, and the form cannot be closed', async () => {
    backend.appStatus.mockResolvedValue({ ...connected, mustChangePassword: true })
    backend.workbench.mockResolvedValue(sampleWorkbench())
    backend.changePassword.mockResolvedValue(connected)
    const wrapper = await mountApp()
    expect(document.querySelector('[data-testid="password-forced"]')?.textContent).toContain('办公室重置了您的平台密码')
    expect(document.querySelector('.el-dialog__headerbtn')).toBeNull()

    await typePasswords('temp-password', 'new-password', 'new-passwore')
    expect(document.querySelector('[data-testid="password-problem"]')?.textContent).toContain('两次输入的新密码不一致')
    const submit = document.querySelector<HTMLButtonElement>('[data-testid="password-submit"]')
    expect(submit?.disabled).toBe(true)

    await typePasswords('temp-password', '短密码', '短密码')
    expect(document.querySelector('[data-testid="password-problem"]')?.textContent).toContain('至少8位')

    await typePasswords('temp-password', 'new-password', 'new-password')
    expect(submit?.disabled).toBe(false)
    submit?.click()
    await flushPromises()
    expect(backend.changePassword).toHaveBeenCalledWith({ oldPassword: 'temp-password', newPassword: 'new-password' })
    expect(document.querySelector('[data-testid="password-forced"]')).toBeNull()
    wrapper.unmount()
  })

  it('the server refusal of the old password is shown and the form stays', async () => {
    backend.appStatus.mockResolvedValue({ ...connected, mustChangePassword: true })
    backend.workbench.mockResolvedValue(sampleWorkbench())
    backend.changePassword.mockRejectedValue(new BackendError('auth.invalid_credentials', '用户名或密码不正确，请重新输入。'))
    const wrapper = await mountApp()
    await typePasswords('wrong-password', 'new-password', 'new-password')
    document.querySelector<HTMLButtonElement>('[data-testid="password-submit"]')?.click()
    await flushPromises()
    expect(document.querySelector('[data-testid="password-error"]')?.textContent).toContain('用户名或密码不正确')
    expect(document.querySelector('[data-testid="password-forced"]')).not.toBeNull()
    wrapper.unmount()
  })

  it('sync hearing of a reset opens the form; 退出登录 goes to the login screen', async () => {
    backend.appStatus.mockResolvedValue(connected)
    backend.workbench.mockResolvedValue(sampleWorkbench())
    backend.syncStatus.mockResolvedValue({
      configured: true,
      phase: 'needsAttention',
      phaseLabel: '需要处理',
      lastSuccess: null,
      pending: 2,
      pullDone: 0,
      pullTotal: 0,
      offline: false,
      error: '管理员已重置您的密码，请先修改密码。',
      errorCode: 'auth.must_change_password',
      changesReceived: 0,
    })
    backend.logout.mockResolvedValue({ ...connected, user: null })
    const wrapper = await mountApp()
    expect(document.querySelector('[data-testid="password-forced"]')).not.toBeNull()
    document.querySelector<HTMLButtonElement>('[data-testid="password-logout"]')?.click()
    await flushPromises()
    expect(backend.logout).toHaveBeenCalled()
    expect(wrapper.find('[data-testid="connect"]').exists()).toBe(true)
    expect(document.querySelector('[data-testid="password-forced"]')).toBeNull()
    wrapper.unmount()
  })

  it('the workbench reloads when sync brought changes, and only then', async () => {
    vi.useFakeTimers()
    const synced = (changesReceived: number) => ({
      configured: true,
      phase: 'idle',
      phaseLabel: '已同步',
      lastSuccess: '2026-12-06 09:00',
      pending: 0,
      pullDone: 0,
      pullTotal: 0,
      offline: false,
      error: null,
      errorCode: null,
      changesReceived,
    })
    backend.appStatus.mockResolvedValue(connected)
    backend.workbench.mockResolvedValue(sampleWorkbench())
    backend.syncStatus.mockResolvedValue(synced(0))
    const wrapper = await mountApp()
    expect(backend.workbench).toHaveBeenCalledTimes(1)

    backend.syncStatus.mockResolvedValue(synced(3))
    await vi.advanceTimersByTimeAsync(3000)
    await flushPromises()
    expect(backend.workbench).toHaveBeenCalledTimes(2)

    // Another round with nothing new: no reload.
    await vi.advanceTimersByTimeAsync(3000)
    await flushPromises()
    expect(backend.workbench).toHaveBeenCalledTimes(2)
    wrapper.unmount()
    vi.useRealTimers()
  })
})
