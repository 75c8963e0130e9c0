use chrono::NaiveDateTime;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignoffError {
    #[error("密码不正确，请重新输入。")]
    WrongPassword,
    #[error("密码连续输错次数过多，账户已锁定至{}，请届时再试或联系管理员。", .until.format("%Y年%-m月%-d日 %H:%M"))]
    Locked { until: NaiveDateTime },
    #[error("密码至少需要8个字符，请重新设置。")]
    WeakPassword,
    #[error("签名密钥文件已损坏，请联系管理员重新生成签名密钥。")]
    DamagedKey,
    #[error("审核签发不完整：尚缺“{step}”。请完成全部审核步骤后再报送或导出正式文件。")]
    Incomplete { step: String },
    #[error("审核签发所针对的稿件与当前稿件不一致，稿件在审核后被修改过，请重新报送审核。")]
    WrongRevision,
    #[error("“{step}”的签名无效，记录可能被篡改，请勿使用该文件并联系管理员。")]
    Tampered { step: String },
    #[error("“{step}”的签名人{signer}未在平台登记签名密钥，无法确认其身份。")]
    UnknownSigner { step: String, signer: String },
    #[error("“{step}”应由{needed}签发，实际签名人身份为{actual}。")]
    WrongRole {
        step: String,
        needed: &'static str,
        actual: &'static str,
    },
}

impl SignoffError {
    pub fn code(&self) -> &'static str {
        match self {
            SignoffError::WrongPassword => "signoff.wrong_password",
            SignoffError::Locked { .. } => "signoff.locked",
            SignoffError::WeakPassword => "signoff.weak_password",
            SignoffError::DamagedKey => "signoff.damaged_key",
            SignoffError::Incomplete { .. } => "signoff.incomplete",
            SignoffError::WrongRevision => "signoff.wrong_revision",
            SignoffError::Tampered { .. } => "signoff.tampered",
            SignoffError::UnknownSigner { .. } => "signoff.unknown_signer",
            SignoffError::WrongRole { .. } => "signoff.wrong_role",
        }
    }
}
