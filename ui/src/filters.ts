// Workbench filtering: pure functions over the rows the shell sent, so a
// change of filter is instant even with 10,000 rows.
import type { StateGroup } from './bindings/StateGroup'
import type { WorkbenchRow } from './bindings/WorkbenchRow'

export interface WorkbenchFilter {
  group: StateGroup | null
  sessionId: string | null
  role: 'lead' | 'coHandler' | 'split' | null
  keyOnly: boolean
  category: string | null
  handler: string | null
  /** Typed in the search box: matches number and title at once. */
  text: string
  /** Suggestions the full-text search found for `text` (null: not yet). */
  hits: Set<string> | null
}

export function emptyFilter(): WorkbenchFilter {
  return {
    group: null,
    sessionId: null,
    role: null,
    keyOnly: false,
    category: null,
    handler: null,
    text: '',
    hits: null,
  }
}

function matchesText(row: WorkbenchRow, text: string, hits: Set<string> | null): boolean {
  const q = text.trim()
  if (q === '') return true
  const number = q.replace(/^第/, '').replace(/号$/, '')
  if (/^\d+$/.test(number) && String(row.suggestionNumber) === number) return true
  if (row.title.includes(q) || row.unitName.includes(q)) return true
  return hits?.has(row.suggestionId) ?? false
}

export function applyFilter(rows: WorkbenchRow[], f: WorkbenchFilter): WorkbenchRow[] {
  return rows.filter(
    (r) =>
      (f.group === null || r.groups.includes(f.group)) &&
      (f.sessionId === null || r.sessionId === f.sessionId) &&
      (f.role === null || r.role === f.role) &&
      (!f.keyOnly || r.isKey) &&
      (f.category === null || r.category === f.category) &&
      (f.handler === null || r.handler === f.handler) &&
      matchesText(r, f.text, f.hits),
  )
}

/** Overdue first, then by deadline; rows without one last. */
export function byUrgency(a: WorkbenchRow, b: WorkbenchRow): number {
  const ao = a.warning === 'overdue' ? 0 : 1
  const bo = b.warning === 'overdue' ? 0 : 1
  if (ao !== bo) return ao - bo
  if (a.deadline === b.deadline) return a.suggestionNumber - b.suggestionNumber
  if (a.deadline === null) return 1
  if (b.deadline === null) return -1
  return a.deadline < b.deadline ? -1 : 1
}

export function handlers(rows: WorkbenchRow[]): string[] {
  return [...new Set(rows.map((r) => r.handler).filter((h): h is string => h !== null))].sort()
}
