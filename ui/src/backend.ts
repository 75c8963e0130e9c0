// The only module that talks to the desktop shell. Every `@tauri-apps/*`
// import lives here, so components and tests depend on plain functions.
import { invoke, isTauri } from '@tauri-apps/api/core'
import type { AccountView } from './bindings/AccountView'
import type { AppStatus } from './bindings/AppStatus'
import type { ApprovalItem } from './bindings/ApprovalItem'
import type { AssignmentRow } from './bindings/AssignmentRow'
import type { CaseDetail } from './bindings/CaseDetail'
import type { ChainChange } from './bindings/ChainChange'
import type { ChainInput } from './bindings/ChainInput'
import type { ChangePasswordInput } from './bindings/ChangePasswordInput'
import type { CommandError } from './bindings/CommandError'
import type { ConnectInput } from './bindings/ConnectInput'
import type { ContactInputView } from './bindings/ContactInputView'
import type { DecideInput } from './bindings/DecideInput'
import type { DecisionView } from './bindings/DecisionView'
import type { DraftView } from './bindings/DraftView'
import type { ExportResult } from './bindings/ExportResult'
import type { LetterVerification } from './bindings/LetterVerification'
import type { NewAccount } from './bindings/NewAccount'
import type { NoticeView } from './bindings/NoticeView'
import type { PreviewView } from './bindings/PreviewView'
import type { ReportDraftView } from './bindings/ReportDraftView'
import type { ReplyFields } from './bindings/ReplyFields'
import type { RevisionView } from './bindings/RevisionView'
import type { SavedDraft } from './bindings/SavedDraft'
import type { SearchHitView } from './bindings/SearchHitView'
import type { SettingsInput } from './bindings/SettingsInput'
import type { SettingsView } from './bindings/SettingsView'
import type { StatsExport } from './bindings/StatsExport'
import type { StatsView } from './bindings/StatsView'
import type { SyncView } from './bindings/SyncView'
import type { UserView } from './bindings/UserView'
import type { Workbench } from './bindings/Workbench'

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

// Session and first run.
export const appStatus = (): Promise<AppStatus> => call('app_status')
export const connectServer = (input: ConnectInput): Promise<AppStatus> =>
  call('connect_server', { input })
export const logout = (): Promise<AppStatus> => call('logout')
export const useLocalDemo = (): Promise<AppStatus> => call('use_local_demo')
export const loginLocal = (userId: string, password: string): Promise<UserView> =>
  call('login_local', { userId, password })
export const logoutLocal = (): Promise<AppStatus> => call('logout_local')
export const changePassword = (input: ChangePasswordInput): Promise<AppStatus> =>
  call('change_password', { input })

// Workbench and detail.
export const workbench = (): Promise<Workbench> => call('workbench')
export const search = (query: string): Promise<SearchHitView[]> => call('search', { query })
export const caseDetail = (id: string): Promise<CaseDetail> => call('case_detail', { id })
export const receive = (id: string): Promise<CaseDetail> => call('receive', { id })
export const requestAdjustment = (
  id: string,
  reason: string,
  suggestedUnit: string | null,
): Promise<CaseDetail> => call('request_adjustment', { id, reason, suggestedUnit })
export const requestExtension = (id: string, until: string, reason: string): Promise<CaseDetail> =>
  call('request_extension', { id, until, reason })
export const addContact = (id: string, input: ContactInputView): Promise<CaseDetail> =>
  call('add_contact', { id, input })
export const submitForApproval = (id: string): Promise<CaseDetail> =>
  call('submit_for_approval', { id })
export const submitReply = (id: string): Promise<CaseDetail> => call('submit_reply', { id })

// Reply editor.
export const replyDraft = (id: string): Promise<DraftView> => call('reply_draft', { id })
export const replyTemplate = (id: string, category: string): Promise<ReplyFields> =>
  call('reply_template', { id, category })
export const saveDraft = (id: string, fields: ReplyFields): Promise<SavedDraft> =>
  call('save_draft', { id, fields })
export const revisions = (id: string): Promise<RevisionView[]> => call('revisions', { id })
export const revisionFields = (id: string, number: number): Promise<ReplyFields> =>
  call('revision_fields', { id, number })
export const restoreRevision = (id: string, number: number): Promise<SavedDraft> =>
  call('restore_revision', { id, number })
export const preview = (id: string, fields: ReplyFields | null): Promise<PreviewView> =>
  call('preview', { id, fields })

// Approval and export.
export const approvalQueue = (): Promise<ApprovalItem[]> => call('approval_queue')
export const decide = (input: DecideInput): Promise<DecisionView[]> => call('decide', { input })
export const decisionHistory = (id: string): Promise<DecisionView[]> =>
  call('decision_history', { id })
export const exportReply = (id: string, format: 'pdf' | 'docx'): Promise<ExportResult> =>
  call('export_reply', { id, format })
export const openFolder = (path: string): Promise<void> => call('open_folder', { path })
/** Checks a sealed letter; without a path the native open dialog asks for one. */
export const verifyLetter = (path?: string): Promise<LetterVerification> =>
  call('verify_letter', { path: path ?? null })

// Statistics (统计): this unit's figures of a session (default: the newest).
export type StatsFormat = 'xlsx' | 'pdf' | 'docx'
export const statsFigures = (session: string | null): Promise<StatsView> =>
  call('stats_figures', { session })
export const statsReport = (session: string | null): Promise<ReportDraftView> =>
  call('stats_report', { session })
/** Figures as Excel, the (edited) report with the figures as PDF, or the report as Word; asks where to save. */
export const exportStats = (
  session: string | null,
  format: StatsFormat,
  report: string | null,
): Promise<StatsExport> => call('export_stats', { session, format, report })
/** The unit's ledger (台账) of the session as Excel; asks where to save. */
export const exportLedger = (session: string | null): Promise<StatsExport> =>
  call('export_ledger', { session })

// Sync, notices, settings.
export const syncStatus = (): Promise<SyncView> => call('sync_status')
export const syncNow = (): Promise<SyncView> => call('sync_now')
export const notices = (): Promise<NoticeView[]> => call('notices')
export const markNoticeRead = (id: number): Promise<void> => call('mark_notice_read', { id })
export const settings = (): Promise<SettingsView> => call('settings')
export const saveSettings = (input: SettingsInput): Promise<SettingsView> =>
  call('save_settings', { input })
export const addAccount = (input: NewAccount): Promise<AccountView[]> =>
  call('add_account', { input })
/** 修改审核流程 on the central server (the unit's head, password again). */
export const setApprovalChain = (input: ChainInput): Promise<ChainChange> =>
  call('set_approval_chain', { input })
/** 导出签章证书: asks where to save; resolves to the path written. */
export const exportCertificate = (): Promise<string> => call('export_certificate')
/** The native open dialog for the intranet CA certificate (login screen). */
export const pickCaFile = (): Promise<string> => call('pick_ca_file')
