import { beforeEach, describe, expect, it, vi } from 'vitest'

const core = vi.hoisted(() => ({
  invoke: vi.fn(),
  isTauri: vi.fn(() => true),
}))
vi.mock('@tauri-apps/api/core', () => core)

import { BackendError, listAssignments, toBackendError } from '../src/backend'
import { sampleRows } from './fixtures'

describe('toBackendError', () => {
  it('keeps the code and Chinese message of a command error', () => {
    const e = toBackendError({ code: 'store_corrupt', message: '数据文件已损坏，请从备份恢复。' })
    expect(e).toBeInstanceOf(BackendError)
    expect(e.code).toBe('store_corrupt')
    expect(e.message).toBe('数据文件已损坏，请从备份恢复。')
  })

  it('wraps a bare IPC string and says what to do', () => {
    const e = toBackendError('list_assignments not allowed')
    expect(e.code).toBe('ipc')
    expect(e.message).toContain('list_assignments not allowed')
    expect(e.message).toContain('重新打开建办')
  })

  it.each([undefined, null, 42, {}, { code: 'x' }, { code: 'x', message: '' }, ''])(
    'falls back to a generic Chinese message for %j',
    (raw) => {
      const e = toBackendError(raw)
      expect(e.code).toBe('unknown')
      expect(e.message).toMatch(/^发生未知错误/)
    },
  )

  it('passes a BackendError through unchanged', () => {
    const original = new BackendError('not_in_app', '请在建办桌面程序中打开')
    expect(toBackendError(original)).toBe(original)
  })
})

describe('listAssignments', () => {
  beforeEach(() => {
    core.invoke.mockReset()
    core.isTauri.mockReturnValue(true)
  })

  it('invokes the list_assignments command and returns its rows', async () => {
    core.invoke.mockResolvedValue(sampleRows)
    await expect(listAssignments()).resolves.toEqual(sampleRows)
    expect(core.invoke).toHaveBeenCalledWith('list_assignments', undefined)
  })

  it('rejects with a BackendError carrying the command error', async () => {
    core.invoke.mockRejectedValue({ code: 'store_unavailable', message: '无法打开数据文件。' })
    const error = await listAssignments().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BackendError)
    expect((error as BackendError).code).toBe('store_unavailable')
    expect((error as BackendError).message).toBe('无法打开数据文件。')
  })

  it('refuses politely outside the desktop program', async () => {
    core.isTauri.mockReturnValue(false)
    const error = await listAssignments().catch((e: unknown) => e)
    expect((error as BackendError).code).toBe('not_in_app')
    expect(core.invoke).not.toHaveBeenCalled()
  })
})
