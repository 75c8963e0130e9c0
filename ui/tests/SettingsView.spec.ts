import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'

const backend = vi.hoisted(() => ({
  settings: vi.fn(),
  setApprovalChain: vi.fn(),
  exportCertificate: vi.fn(),
  addAccount: vi.fn(),
}))
vi.mock('../src/backend', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/backend')>()
  return { ...real, ...backend }
})

import SettingsView from '../src/views/SettingsView.vue'
import { BackendError } from '../src/backend'
import type { SettingsView as Settings } from '../src/bindings/SettingsView'

function settings(over: Partial<Settings> = {}): Settings {
  return {
    serverUrl: 'http://127.0.0.1:8580',
    caFile: null,
    docPrefix: '宿住建建复',
    defaultCc: ['市人大常委会代表工委', '市政府办公室'],
    fonts: [],
    fontError: null,
    accounts: [],
    approvalChain: [{ title: '主要负责人审核签发', role: 'head' }],
    canEditChain: true,
    chainNote: '修改后立即在平台生效',
    certificateUnit: '市住房城乡建设局',
    ...over,
  }
}

const inBody = (sel: string): HTMLElement | null => document.body.querySelector<HTMLElement>(sel)

function setInput(sel: string, value: string): void {
  const el = inBody(sel) as HTMLInputElement
  el.value = value
  el.dispatchEvent(new Event('input'))
}

describe('SettingsView', () => {
  beforeEach(() => {
    for (const f of Object.values(backend)) f.mockReset()
    document.body.innerHTML = ''
  })

  it('shows the chain with each step’s role and hides editing from non-heads', async () => {
    backend.settings.mockResolvedValue(
      settings({
        approvalChain: [
          { title: '分管领导审核', role: 'deputyHead' },
          { title: '主要负责人审核签发', role: 'head' },
        ],
        canEditChain: false,
        chainNote: '本单位主要负责人在“审核”中登录本机后，可在此修改审核流程',
      }),
    )
    const w = mount(SettingsView, { props: { server: false }, global: { plugins: [ElementPlus] } })
    await flushPromises()
    const steps = w.findAll('[data-testid="approval-chain"] li').map((li) => li.text())
    expect(steps).toEqual(['分管领导审核（分管领导）', '主要负责人审核签发（主要负责人）'])
    expect(w.find('[data-testid="edit-chain"]').exists()).toBe(false)
    expect(w.find('[data-testid="chain-note"]').text()).toContain('主要负责人在“审核”中登录')
  })

  it('lets the head add a step before the sign-off and saves it with the password', async () => {
    backend.settings.mockResolvedValue(settings())
    const after = settings({
      approvalChain: [
        { title: '分管领导审核', role: 'deputyHead' },
        { title: '主要负责人审核签发', role: 'head' },
      ],
    })
    backend.setApprovalChain.mockResolvedValue({ settings: after, casesUpdated: 3 })
    const w = mount(SettingsView, { props: { server: false }, global: { plugins: [ElementPlus] }, attachTo: document.body })
    await flushPromises()
    await w.find('[data-testid="edit-chain"]').trigger('click')
    await flushPromises()
    inBody('[data-testid="add-step"]')?.click()
    await flushPromises()
    // Without the password nothing is sent.
    inBody('[data-testid="save-chain"]')?.click()
    await flushPromises()
    expect(backend.setApprovalChain).not.toHaveBeenCalled()
    expect(inBody('[data-testid="chain-error"]')?.textContent).toContain('请输入主要负责人的登录密码')
    setInput('input[data-testid="chain-password"]', 'jianban-demo')
    await flushPromises()
    inBody('[data-testid="save-chain"]')?.click()
    await flushPromises()
    expect(backend.setApprovalChain).toHaveBeenCalledWith({
      steps: [
        { title: '分管领导审核', role: 'deputyHead' },
        { title: '主要负责人审核签发', role: 'head' },
      ],
      password: 'jianban-demo',
    })
    expect(w.findAll('[data-testid="approval-chain"] li')).toHaveLength(2)
    w.unmount()
  })

  it('refuses a chain that does not end with the head and shows the server’s refusal', async () => {
    backend.settings.mockResolvedValue(settings())
    backend.setApprovalChain.mockRejectedValue(
      new BackendError('signoff.wrong_password', '密码不正确，请重新输入。'),
    )
    const w = mount(SettingsView, { props: { server: false }, global: { plugins: [ElementPlus] }, attachTo: document.body })
    await flushPromises()
    await w.find('[data-testid="edit-chain"]').trigger('click')
    await flushPromises()
    inBody('[data-testid="add-step"]')?.click()
    await flushPromises()
    // Move the head's step up: the chain would end with the deputy head.
    ;(document.body.querySelector('[aria-label="第2步上移"]') as HTMLElement).click()
    await flushPromises()
    setInput('input[data-testid="chain-password"]', 'x')
    inBody('[data-testid="save-chain"]')?.click()
    await flushPromises()
    expect(backend.setApprovalChain).not.toHaveBeenCalled()
    expect(inBody('[data-testid="chain-error"]')?.textContent).toContain('最后一步必须由主要负责人签发')
    // Back in order, the server answers and its message is shown as is.
    ;(document.body.querySelector('[aria-label="第2步上移"]') as HTMLElement).click()
    await flushPromises()
    setInput('input[data-testid="chain-password"]', 'x')
    inBody('[data-testid="save-chain"]')?.click()
    await flushPromises()
    expect(backend.setApprovalChain).toHaveBeenCalledTimes(1)
    expect(inBody('[data-testid="chain-error"]')?.textContent).toContain('密码不正确')
    w.unmount()
  })

  it('exports the unit certificate and stays quiet when the dialog is cancelled', async () => {
    backend.settings.mockResolvedValue(settings())
    backend.exportCertificate.mockRejectedValueOnce(new BackendError('cancelled', '已取消导出，未写入任何文件。'))
    const w = mount(SettingsView, { props: { server: false }, global: { plugins: [ElementPlus] }, attachTo: document.body })
    await flushPromises()
    await w.find('[data-testid="export-certificate"]').trigger('click')
    await flushPromises()
    expect(document.body.textContent).not.toContain('已取消导出')
    backend.exportCertificate.mockResolvedValueOnce('/tmp/市住房城乡建设局-答复函签章证书.cer')
    await w.find('[data-testid="export-certificate"]').trigger('click')
    await flushPromises()
    expect(backend.exportCertificate).toHaveBeenCalledTimes(2)
    expect(document.body.textContent).toContain('签章证书已导出')
    w.unmount()
  })

  it('on a connected PC, an account is the platform one: only its login and password are asked', async () => {
    backend.settings.mockResolvedValue(settings())
    backend.addAccount.mockResolvedValue([])
    const w = mount(SettingsView, { props: { server: true }, global: { plugins: [ElementPlus] } })
    await flushPromises()
    expect(w.find('[data-testid="account-note"]').text()).toContain('由平台确认姓名和岗位')
    expect(w.find('input[aria-label="姓名"]').exists()).toBe(false)
    await w.find('[data-testid="account-user"] input, input[data-testid="account-user"]').setValue('zjj-head')
    await w.find('[data-testid="account-password"] input, input[data-testid="account-password"]').setValue('platform-pw')
    await w.find('button[aria-label="添加账号"]').trigger('click')
    await flushPromises()
    expect(backend.addAccount).toHaveBeenCalledWith(expect.objectContaining({ userId: 'zjj-head', password: 'platform-pw' }))

    const local = mount(SettingsView, { props: { server: false }, global: { plugins: [ElementPlus] } })
    await flushPromises()
    expect(local.find('[data-testid="account-note"]').text()).toContain('本地演示')
    expect(local.find('input[aria-label="姓名"]').exists()).toBe(true)
  })
})
