//! The things the process is about, named from the glossary (BRIEF §4).
//!
//! These are plain domain types. They derive serde so that the demo data set
//! and the store can read them, but the wire formats (IPC, HTTP) live in their
//! own boundary modules and map to these.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A congress session, e.g. `2024-s6-3` for 市六届人大三次会议.
    SessionId
);
id_type!(SuggestionId);
id_type!(DeputyId);
id_type!(UnitId);
id_type!(
    /// One suggestion handed to one unit (suggestion × unit).
    AssignmentId
);
id_type!(UserId);

/// 会议: the congress session at which suggestions were filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: SessionId,
    /// Full name, e.g. 市六届人大三次会议.
    pub name: String,
    pub year: i32,
}

/// 代表: a people's congress deputy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deputy {
    pub id: DeputyId,
    pub name: String,
    /// 代表团 (the delegation the deputy belongs to), e.g. 埇桥区代表团.
    #[serde(default)]
    pub delegation: String,
}

/// 承办单位: a government department or body that handles suggestions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    /// e.g. 市发展改革委.
    pub name: String,
    /// 代字 used in reply document numbers, e.g. 宿发改建复.
    #[serde(default)]
    pub doc_prefix: String,
}

/// 代表建议.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: SuggestionId,
    pub session_id: SessionId,
    /// 建议号: 39 for 第39号.
    pub number: u32,
    /// Title without book-title marks, e.g. 关于推动我市民营经济高质量发展的建议.
    pub title: String,
    pub text: String,
    /// 领衔代表.
    pub lead_deputy: DeputyId,
    /// 附议代表.
    #[serde(default)]
    pub co_signers: Vec<DeputyId>,
    /// 重点建议.
    #[serde(default)]
    pub is_key: bool,
    /// Urgent (急事急办): short deadlines.
    #[serde(default)]
    pub is_urgent: bool,
}

impl Suggestion {
    /// 第39号.
    pub fn number_label(&self) -> String {
        format!("第{}号", self.number)
    }
}

/// 承办方式: how a unit takes part in handling a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingRole {
    /// 主办: answers the deputy, gathers the co-handlers' opinions.
    Lead,
    /// 协办: sends its opinion to the lead unit; its path ends there.
    CoHandler,
    /// 分办: answers its own part of the suggestion directly.
    Split,
}

impl HandlingRole {
    pub const ALL: [HandlingRole; 3] = [Self::Lead, Self::CoHandler, Self::Split];

    /// Stable code (the serde name), used in the databases and the wire.
    pub fn code(&self) -> &'static str {
        match self {
            HandlingRole::Lead => "lead",
            HandlingRole::CoHandler => "co_handler",
            HandlingRole::Split => "split",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            HandlingRole::Lead => "主办",
            HandlingRole::CoHandler => "协办",
            HandlingRole::Split => "分办",
        }
    }

    /// Whether this role answers the deputy with its own reply letter.
    pub fn replies_to_deputy(&self) -> bool {
        !matches!(self, HandlingRole::CoHandler)
    }
}

/// 办理结果类别.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResultCategory {
    /// 已解决或基本解决.
    A,
    /// 正在解决或列入计划逐步解决.
    B,
    /// 因条件限制暂时难以解决，留作参考.
    C,
    /// 留作参考 (used by some schemes).
    D,
}

impl ResultCategory {
    pub const ALL: [ResultCategory; 4] = [Self::A, Self::B, Self::C, Self::D];

    pub fn letter(&self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
            Self::C => "C",
            Self::D => "D",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::A => "已解决或基本解决",
            Self::B => "正在解决或列入计划逐步解决",
            Self::C => "因条件限制暂时难以解决，留作参考",
            Self::D => "留作参考",
        }
    }
}

/// 公开属性.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// 主动公开.
    #[default]
    Active,
    /// 依申请公开.
    OnRequest,
    /// 不予公开.
    NotPublic,
}

impl Disclosure {
    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::Active => "主动公开",
            Self::OnRequest => "依申请公开",
            Self::NotPublic => "不予公开",
        }
    }
}

/// 代表评价.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evaluation {
    /// 满意.
    Satisfied,
    /// 基本满意.
    BasicallySatisfied,
    /// 不满意: the case is re-handled.
    Dissatisfied,
}

impl Evaluation {
    pub const ALL: [Evaluation; 3] = [
        Self::Satisfied,
        Self::BasicallySatisfied,
        Self::Dissatisfied,
    ];

    /// Stable code (the serde name).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Satisfied => "satisfied",
            Self::BasicallySatisfied => "basically_satisfied",
            Self::Dissatisfied => "dissatisfied",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::Satisfied => "满意",
            Self::BasicallySatisfied => "基本满意",
            Self::Dissatisfied => "不满意",
        }
    }

    /// Counted in the satisfaction rate (满意 + 基本满意).
    pub fn is_satisfied(&self) -> bool {
        !matches!(self, Self::Dissatisfied)
    }
}

/// Roles of the people who use the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    /// 市政府办公室 staff: assign, supervise, review, return, evaluate.
    OfficeStaff,
    /// 联络员.
    Liaison,
    /// 承办人.
    CaseHandler,
    /// 分管领导.
    DeputyHead,
    /// 主要负责人.
    Head,
}

impl UserRole {
    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::OfficeStaff => "办公室工作人员",
            Self::Liaison => "联络员",
            Self::CaseHandler => "承办人",
            Self::DeputyHead => "分管领导",
            Self::Head => "主要负责人",
        }
    }
}

/// Who is acting: the rules check both the role and the unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: UserId,
    pub name: String,
    pub role: UserRole,
    /// The user's unit; `None` for office staff.
    pub unit: Option<UnitId>,
}

/// 交办: one suggestion handed to one unit, with its fixed dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: AssignmentId,
    pub suggestion_id: SuggestionId,
    pub unit_id: UnitId,
    pub role: HandlingRole,
    /// Date of formal assignment (正式交办); deadlines count from it.
    pub assigned_on: NaiveDate,
}

/// 沟通联系 mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactMode {
    /// 电话.
    Phone,
    /// 走访 / 登门拜访.
    Visit,
    /// 座谈会 / 请进来.
    Meeting,
    /// 实地视察.
    SiteInspection,
    /// 书面 / 信函.
    Letter,
    /// 其他.
    Other,
}

impl ContactMode {
    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::Phone => "电话沟通",
            Self::Visit => "登门走访",
            Self::Meeting => "座谈会商",
            Self::SiteInspection => "实地视察",
            Self::Letter => "书面沟通",
            Self::Other => "其他",
        }
    }
}

/// 沟通联系记录: one contact with the deputy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecord {
    pub id: String,
    pub assignment_id: AssignmentId,
    pub mode: ContactMode,
    pub date: NaiveDate,
    /// Who took part, e.g. 张三代表；李四（联络员）.
    pub people: String,
    pub summary: String,
}

/// 会办意见: a co-handler's written opinion to the lead unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoHandlingOpinion {
    pub suggestion_id: SuggestionId,
    pub from_unit: UnitId,
    pub text: String,
    pub submitted_at: NaiveDateTime,
}

/// The structured fields of a reply letter (or a co-handler's opinion) as the
/// liaison types them. Its canonical hash identifies a revision: an approval
/// binds to exactly one hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReplyContent {
    pub category: Option<ResultCategory>,
    #[serde(default)]
    pub disclosure: Disclosure,
    /// 文号, e.g. 宿发改建复〔2024〕12号.
    #[serde(default)]
    pub doc_number: String,
    #[serde(default)]
    pub title: String,
    /// e.g. 张三代表：
    #[serde(default)]
    pub salutation: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub contact_person: String,
    #[serde(default)]
    pub contact_phone: String,
    /// 抄送.
    #[serde(default)]
    pub cc: Vec<String>,
}

/// SHA-256 of a revision's canonical content, lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RevisionHash(pub String);

impl std::fmt::Display for RevisionHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl ReplyContent {
    /// Canonical form: fields in a fixed order, as compact JSON. Serde writes
    /// struct fields in declaration order, so this is stable across platforms.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("ReplyContent always serializes")
    }

    pub fn content_hash(&self) -> RevisionHash {
        let digest = Sha256::digest(self.canonical_bytes());
        RevisionHash(hex::encode(digest))
    }
}

/// 修订: one immutable saved state of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub assignment_id: AssignmentId,
    /// 1, 2, 3 … per assignment.
    pub number: u32,
    pub hash: RevisionHash,
    pub author: UserId,
    pub saved_at: NaiveDateTime,
    pub content: ReplyContent,
}

/// One step of a unit's approval chain (审核签发), e.g. 分管领导 then 主要负责人.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalStep {
    /// What the step is called in this unit, e.g. 分管领导审核.
    pub title: String,
    pub role: UserRole,
}

/// 审核意见: one approver's decision on one exact revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub revision: RevisionHash,
    pub approver: UserId,
    pub approver_name: String,
    pub role: UserRole,
    pub step: usize,
    pub at: NaiveDateTime,
    #[serde(default)]
    pub comment: String,
}

/// 延期: an extension of the reply deadline granted by the office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub until: NaiveDate,
    pub reason: String,
}

/// 延期申请: a unit asks the office for more time; the case keeps its
/// deadline until the office grants (or declines) it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingExtension {
    pub until: NaiveDate,
    pub reason: String,
    pub requested_on: NaiveDate,
}

/// 退回重办 reasons as the office records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnRecord {
    pub reasons: String,
    pub at: NaiveDateTime,
}

/// 申请调整 / 退办.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentRequest {
    pub reason: String,
    /// Suggested unit that should handle it instead, if the unit knows.
    #[serde(default)]
    pub suggested_unit: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_serde_names_and_read_back() {
        for r in HandlingRole::ALL {
            assert_eq!(serde_json::to_value(r).unwrap(), r.code());
            assert_eq!(HandlingRole::from_code(r.code()), Some(r));
        }
        assert_eq!(HandlingRole::from_code("主办"), None);
        for e in Evaluation::ALL {
            assert_eq!(serde_json::to_value(e).unwrap(), e.code());
        }
    }

    #[test]
    fn content_hash_changes_with_any_field() {
        let a = ReplyContent {
            body: "正文".into(),
            ..Default::default()
        };
        let mut b = a.clone();
        assert_eq!(a.content_hash(), b.content_hash());
        b.contact_phone = "0557-1234567".into();
        assert_ne!(a.content_hash(), b.content_hash());
        assert_eq!(a.content_hash().0.len(), 64);
    }
}
