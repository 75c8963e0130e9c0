//! Where approvers' sealed signing keys live.
//!
//! A signing key is always sealed under its approver's password
//! (`jianban_signoff::keys`). Where the PC has a credential store (Windows
//! Credential Manager, the Secret Service on UOS/Kylin, the Keychain), the
//! sealed key is kept there instead of in the database, so a copied
//! `jianban.sqlite3` carries no part of any secret key. The store only knows
//! this trait; the desktop shell supplies the OS implementation.

use jianban_domain::UserId;

/// A place outside the database for one sealed key per approver.
pub trait KeyVault: Send {
    /// Keeps `sealed_identity` (JSON) for `user`; false when no credential
    /// store took it, in which case the key stays in the database.
    fn put(&self, user: &UserId, sealed_identity: &str) -> bool;
    /// The sealed key kept for `user`, if the credential store answers and
    /// holds one.
    fn get(&self, user: &UserId) -> Option<String>;
}

/// No credential store: every sealed key stays in the database. The default
/// for tests, tools and the server-side replays.
pub struct NoVault;

impl KeyVault for NoVault {
    fn put(&self, _: &UserId, _: &str) -> bool {
        false
    }
    fn get(&self, _: &UserId) -> Option<String> {
        None
    }
}
