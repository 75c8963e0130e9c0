import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus, { ElMessageBox } from 'element-plus'

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
      allowPlainHttp: false,
    })
    expect(w.find('[data-testid="login-error"]').text()).toContain('无法连接平台')
  })

  it('asks before using a plain http:// address and sends the confirmation', async () => {
    const refusal = new BackendError('config.plain_http', '该平台地址使用未加密的 http://，账号密码和案件内容在网络上以明文传输。')
    backend.connectServer.mockRejectedValueOnce(refusal)
    backend.connectServer.mockResolvedValueOnce({ mode: 'server' })
    const confirm = vi.spyOn(ElMessageBox, 'confirm').mockResolvedValueOnce('confirm' as never)
    const w = mount(LoginView, { props: { serverUrl: 'http://10.1.2.3:8580', caFile: null }, global: { plugins: [ElementPlus] } })
    await w.find('input[data-testid="username"]').setValue('zjj-liaison')
    await w.find('input[data-testid="password"]').setValue('secret-pw')
    await w.find('[data-testid="connect"]').trigger('click')
    await flushPromises()
    expect(confirm).toHaveBeenCalledOnce()
    expect(confirm.mock.calls[0]?.[0]).toContain('明文')
    expect(backend.connectServer).toHaveBeenCalledTimes(2)
    expect(backend.connectServer.mock.calls[0]?.[0].allowPlainHttp).toBe(false)
    expect(backend.connectServer.mock.calls[1]?.[0].allowPlainHttp).toBe(true)
    expect(w.emitted('done')).toHaveLength(1)
    confirm.mockRestore()
  })

  it('does not log in when the person declines the plain http:// address', async () => {
    backend.connectServer.mockRejectedValueOnce(new BackendError('config.plain_http', '未加密'))
    const confirm = vi.spyOn(ElMessageBox, 'confirm').mockRejectedValueOnce('cancel')
    const w = mount(LoginView, { props: { serverUrl: 'http://10.1.2.3:8580', caFile: null }, global: { plugins: [ElementPlus] } })
    await w.find('[data-testid="connect"]').trigger('click')
    await flushPromises()
    expect(confirm).toHaveBeenCalledOnce()
    expect(backend.connectServer).toHaveBeenCalledOnce()
    expect(w.emitted('done')).toBeUndefined()
    expect(w.find('[data-testid="login-error"]').text()).toContain('https://')
    confirm.mockRestore()
  })
})
