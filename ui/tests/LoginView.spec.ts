import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'

const backend = vi.hoisted(() => ({
  connectServer: vi.fn(),
  pickCaFile: vi.fn(),
  useLocalDemo: vi.fn(),
}))
vi.mock('../src/backend', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/backend')>()
  return { ...real, ...backend }
})

import LoginView from '../src/views/LoginView.vue'
import { BackendError } from '../src/backend'

describe('LoginView', () => {
  beforeEach(() => {
    for (const f of Object.values(backend)) f.mockReset()
    document.body.innerHTML = ''
  })

  it('fills the CA path from the file dialog and sends it with the login', async () => {
    backend.pickCaFile.mockRejectedValueOnce(new BackendError('cancelled', '未选择证书。'))
    backend.pickCaFile.mockResolvedValueOnce('/etc/ssl/内网CA.pem')
    backend.connectServer.mockRejectedValueOnce(new BackendError('sync.offline', '无法连接平台，请检查网络。'))
    const w = mount(LoginView, { props: { serverUrl: null, caFile: null }, global: { plugins: [ElementPlus] } })
    await w.find('[data-testid="choose-ca"]').trigger('click')
    await flushPromises()
    // Cancelled: nothing filled, nothing complained about.
    expect((w.find('input[data-testid="ca-file"]').element as HTMLInputElement).value).toBe('')
    expect(w.find('[data-testid="login-error"]').exists()).toBe(false)
    await w.find('[data-testid="choose-ca"]').trigger('click')
    await flushPromises()
    expect((w.find('input[data-testid="ca-file"]').element as HTMLInputElement).value).toBe('/etc/ssl/内网CA.pem')
    await w.find('input[data-testid="server-url"]').setValue('https://dbjy.example.gov.cn')
    await w.find('input[data-testid="username"]').setValue('zjj-liaison')
    await w.find('input[data-testid="password"]').setValue('secret-pw')
    await w.find('[data-testid="connect"]').trigger('click')
    await flushPromises()
    expect(backend.connectServer).toHaveBeenCalledWith({
      serverUrl: 'https://dbjy.example.gov.cn',
      caFile: '/etc/ssl/内网CA.pem',
      username: 'zjj-liaison',
      password: 'secret-pw',
    })
    expect(w.find('[data-testid="login-error"]').text()).toContain('无法连接平台')
  })
})
