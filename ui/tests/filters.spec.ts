import { describe, expect, it } from 'vitest'
import { applyFilter, byUrgency, emptyFilter, handlers } from '../src/filters'
import { sampleWorkbenchRows as rows } from './fixtures'

const ids = (rs: { assignmentId: string }[]) => rs.map((r) => r.assignmentId)

describe('workbench filters', () => {
  it('filters by group, session, role, key, category and handler', () => {
    expect(ids(applyFilter(rows, { ...emptyFilter(), group: 'overdue' }))).toEqual(['a-12-jyj'])
    expect(ids(applyFilter(rows, { ...emptyFilter(), group: 'dueSoon' }))).toEqual(['a-7-jtj'])
    expect(ids(applyFilter(rows, { ...emptyFilter(), sessionId: '2023-s6-2' }))).toEqual(['a-7-jtj'])
    expect(ids(applyFilter(rows, { ...emptyFilter(), role: 'coHandler' }))).toEqual(['a-12-jyj'])
    expect(ids(applyFilter(rows, { ...emptyFilter(), keyOnly: true }))).toEqual(['a-39-fgw'])
    expect(ids(applyFilter(rows, { ...emptyFilter(), category: 'A' }))).toEqual(['a-39-fgw'])
    expect(applyFilter(rows, { ...emptyFilter(), handler: '王晓梅' })).toHaveLength(3)
    expect(applyFilter(rows, emptyFilter())).toHaveLength(rows.length)
  })

  it('matches numbers, titles and full-text hits', () => {
    expect(ids(applyFilter(rows, { ...emptyFilter(), text: '第39号' }))).toEqual(['a-39-fgw'])
    expect(ids(applyFilter(rows, { ...emptyFilter(), text: '7' }))).toEqual(['a-7-jtj'])
    expect(ids(applyFilter(rows, { ...emptyFilter(), text: '养老' }))).toEqual(['a-5-mzj'])
    // "医院" is not in any title; the full-text search found suggestion 12.
    expect(applyFilter(rows, { ...emptyFilter(), text: '医院' })).toHaveLength(0)
    expect(ids(applyFilter(rows, { ...emptyFilter(), text: '医院', hits: new Set(['s12']) }))).toEqual(['a-12-jyj'])
  })

  it('puts overdue first, then the closest deadline, and no deadline last', () => {
    expect(ids([...rows].sort(byUrgency))).toEqual(['a-12-jyj', 'a-7-jtj', 'a-39-fgw', 'a-5-mzj'])
  })

  it('lists each handler once', () => {
    expect(handlers(rows)).toEqual(['王晓梅'])
  })
})
