// The only module that talks to the desktop shell. Every `@tauri-apps/*`
// import lives here, so components and tests depend on plain functions.
import { invoke, isTauri } from '@tauri-apps/api/core'
import type { AssignmentRow } from './bindings/AssignmentRow'
import type { CommandError } from './bindings/CommandError'

/** An error from the desktop shell, with a stable code and a Chinese message. */
export class BackendError extends Error {
  readonly code: string

  constructor(code: string, message: string) {
    super(message)
    this.name = 'BackendError'
    this.code = code
  }
}

function isCommandError(value: unknown): value is CommandError {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.code === 'string' && typeof v.message === 'string' && v.message.length > 0
}

/**
 * Maps anything a command can reject with to a `BackendError`.
 * Commands reject with `CommandError` (`{code, message}`); the IPC layer
 * itself may reject with a bare string (e.g. a command the window may not call).
 */
export function toBackendError(raw: unknown): BackendError {
  if (raw instanceof BackendError) return raw
  if (isCommandError(raw)) return new BackendError(raw.code, raw.message)
  if (typeof raw === 'string' && raw.trim().length > 0) {
    return new BackendError(
      'ipc',
      `建办界面未能调用本机程序（${raw.trim()}）。请关闭后重新打开建办；如仍出现，请把日志文件发给技术支持。`,
    )
  }
  return new BackendError(
    'unknown',
    '发生未知错误。请关闭后重新打开建办；如仍出现，请把日志文件发给技术支持。',
  )
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!isTauri()) {
    throw new BackendError(
      'not_in_app',
      '此页面需要在建办桌面程序中打开，普通浏览器无法读取本机数据。',
    )
  }
  try {
    return await invoke<T>(command, args)
  } catch (raw) {
    throw toBackendError(raw)
  }
}

/** 交办件列表: every assignment with its deadline warning as of today. */
export function listAssignments(): Promise<AssignmentRow[]> {
  return call<AssignmentRow[]>('list_assignments')
}
