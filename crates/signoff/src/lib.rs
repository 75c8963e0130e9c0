//! Leader sign-off (审核签发): 不审核不答复 made verifiable.
//!
//! - [`credentials`]: approvers' local passwords (argon2id) and the lockout
//!   after repeated failures;
//! - [`keys`]: each approver's Ed25519 signing key, encrypted at rest with a
//!   key derived from the password;
//! - [`record`]: a decision {revision hash, signer, role, time, decision,
//!   comment} signed with the signer's key, and its verification;
//! - [`chain`]: whether a set of signed decisions is a complete sign-off of
//!   one exact revision under a unit's approval chain.
//!
//! No I/O: storage of accounts and keys is the store's job, registration of
//! public keys the server's.

pub mod chain;
pub mod credentials;
pub mod keys;
pub mod record;

mod error;

pub use chain::{verify_sign_off, SignOff};
pub use credentials::{hash_password, verify_password, LockoutPolicy, LoginAttempts};
pub use error::SignoffError;
pub use keys::{is_valid_public_key, SigningIdentity, UnlockedKey};
pub use record::{sign, verify, Decision, DecisionRecord, KeyRegistry, SignedDecision, Verdict};
