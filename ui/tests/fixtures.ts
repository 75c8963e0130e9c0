import type { CaseDetail } from '../src/bindings/CaseDetail'
import type { AssignmentRow } from '../src/bindings/AssignmentRow'

export function row(overrides: Partial<AssignmentRow> = {}): AssignmentRow {
  return {
    assignmentId: 'a-39-fgw',
    suggestionNumber: 39,
    sessionName: '市六届人大三次会议',
    title: '关于推动我市民营经济高质量发展的建议',
    unitName: '市发展改革委',
    role: 'lead',
    roleLabel: '主办',
    state: 'drafting',
    stateLabel: '起草中',
    deadline: '2024-06-28',
    warning: 'normal',
    warningLabel: '正常',
    isKey: false,
    ...overrides,
  }
}

export const sampleRows: AssignmentRow[] = [
  row({ isKey: true }),
  row({
    assignmentId: 'a-12-jyj',
    suggestionNumber: 12,
    title: '关于加强农村义务教育学校建设的建议',
    unitName: '市教育局',
    role: 'coHandler',
    roleLabel: '协办',
    deadline: '2024-04-28',
    warning: 'overdue',
    warningLabel: '已逾期',
  }),
  row({
    assignmentId: 'a-7-jtj',
    suggestionNumber: 7,
    title: '关于优化城区公交线路的建议',
    unitName: '市交通运输局',
    role: 'split',
    roleLabel: '分办',
    deadline: '2024-06-03',
    warning: 'within3Days',
    warningLabel: '3日内到期',
  }),
  row({
    assignmentId: 'a-8-wjw',
    suggestionNumber: 8,
    title: '关于提升基层医疗服务能力的建议',
    unitName: '市卫生健康委',
    deadline: '2024-06-12',
    warning: 'within7Days',
    warningLabel: '7日内到期',
  }),
  row({
    assignmentId: 'a-9-mzj',
    suggestionNumber: 9,
    title: '关于发展社区养老服务的建议',
    unitName: '市民政局',
    deadline: '2024-06-20',
    warning: 'within15Days',
    warningLabel: '15日内到期',
  }),
  row({
    assignmentId: 'a-10-zjj',
    suggestionNumber: 10,
    title: '关于老旧小区改造的建议',
    unitName: '市住房城乡建设局',
    state: 'concluded',
    stateLabel: '已办结',
    deadline: null,
    warning: 'normal',
    warningLabel: '正常',
  }),
]

import type { WorkbenchRow } from '../src/bindings/WorkbenchRow'
import type { Workbench } from '../src/bindings/Workbench'
import type { StateGroup } from '../src/bindings/StateGroup'

export function wbRow(overrides: Partial<WorkbenchRow> = {}): WorkbenchRow {
  return {
    ...row(),
    suggestionId: 's39',
    sessionId: '2024-s6-3',
    isUrgent: false,
    category: null,
    handler: '王晓梅',
    groups: ['inProgress'],
    ...overrides,
  }
}

export const sampleWorkbenchRows: WorkbenchRow[] = [
  wbRow({ isKey: true, category: 'A' }),
  wbRow({
    assignmentId: 'a-12-jyj',
    suggestionId: 's12',
    suggestionNumber: 12,
    title: '关于加强农村义务教育学校建设的建议',
    unitName: '市教育局',
    role: 'coHandler',
    roleLabel: '协办',
    deadline: '2024-04-28',
    warning: 'overdue',
    warningLabel: '已逾期',
    groups: ['inProgress', 'overdue'],
    handler: null,
  }),
  wbRow({
    assignmentId: 'a-7-jtj',
    suggestionId: 's7',
    suggestionNumber: 7,
    title: '关于优化城区公交线路的建议',
    unitName: '市交通运输局',
    role: 'split',
    roleLabel: '分办',
    state: 'awaitingReceipt',
    stateLabel: '待签收',
    deadline: '2024-06-03',
    warning: 'within3Days',
    warningLabel: '3日内到期',
    groups: ['awaitingReceipt', 'dueSoon'],
    sessionId: '2023-s6-2',
  }),
  wbRow({
    assignmentId: 'a-5-mzj',
    suggestionId: 's5',
    suggestionNumber: 5,
    title: '关于发展社区养老服务的建议',
    unitName: '市民政局',
    state: 'submitted',
    stateLabel: '已答复',
    deadline: null,
    warning: 'normal',
    warningLabel: '正常',
    groups: ['replied'],
  }),
]

const labels: Record<StateGroup, string> = {
  awaitingReceipt: '待签收',
  inProgress: '办理中',
  awaitingApproval: '待审核',
  replied: '已答复',
  returned: '退回重办',
  dueSoon: '即将到期',
  overdue: '已逾期',
}

export function sampleWorkbench(rows: WorkbenchRow[] = sampleWorkbenchRows): Workbench {
  return {
    rows,
    counts: (Object.keys(labels) as StateGroup[]).map((group) => ({
      group,
      label: labels[group],
      count: rows.filter((r) => r.groups.includes(group)).length,
    })),
    sessions: [
      { id: '2024-s6-3', name: '市六届人大三次会议' },
      { id: '2023-s6-2', name: '市六届人大二次会议' },
    ],
  }
}

/** A case detail for the screens that show one. */
export function detail(overrides: Partial<CaseDetail> = {}): CaseDetail {
  return {
    row: row(),
    sessionName: '市六届人大三次会议',
    text: '建议加大对民营企业的融资支持。',
    isUrgent: false,
    leadDeputy: { name: '张建国', delegation: '埇桥区代表团' },
    coSigners: [],
    units: [],
    deadlines: [
      { label: '签收期限', date: '2024-04-01', warning: 'normal', warningLabel: '—', current: false },
      { label: '答复期限', date: '2024-06-28', warning: 'normal', warningLabel: '正常', current: true },
    ],
    contacts: [],
    timeline: [],
    opinions: [],
    blockers: [],
    actions: {
      receive: false,
      requestAdjustment: false,
      requestExtension: true,
      recordContact: true,
      editDraft: true,
      submitForApproval: false,
      submit: false,
      export: false,
    },
    approvalChain: ['主要负责人审核签发'],
    rehandlingRound: 0,
    pendingExtension: null,
    ...overrides,
  }
}
