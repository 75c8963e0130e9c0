// Presentation helpers shared by components. Pure functions, no Vue.
import type { DeadlineWarning } from './bindings/DeadlineWarning'

/** 39 → 第39号 */
export function suggestionNumberLabel(n: number): string {
  return `第${n}号`
}

/** Element Plus tag type for a deadline warning; yellow has its own class. */
export type BadgeType = 'danger' | 'warning' | 'primary' | 'info'

export interface DeadlineBadge {
  type: BadgeType
  /** CSS modifier, also used by tests and the e2e run. */
  className: string
}

export function deadlineBadge(warning: DeadlineWarning): DeadlineBadge {
  switch (warning) {
    case 'overdue':
      return { type: 'danger', className: 'deadline-badge--overdue' }
    case 'within3Days':
      return { type: 'warning', className: 'deadline-badge--within3' }
    case 'within7Days':
      // No yellow tag type in Element Plus: the class sets the colours.
      return { type: 'warning', className: 'deadline-badge--within7' }
    case 'within15Days':
      return { type: 'primary', className: 'deadline-badge--within15' }
    case 'normal':
      return { type: 'info', className: 'deadline-badge--normal' }
  }
}

/** `YYYY-MM-DD` of a date in local time (toISOString would give the UTC
 * day, which is yesterday in Beijing before 08:00). */
export function isoDate(d: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}
