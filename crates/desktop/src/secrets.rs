//! Where secrets can be kept: the refresh token, the unit certificate and
//! approvers' sealed signing keys. The shell implements [`Secrets`] with the
//! operating system's credential store (`src-tauri/src/secrets.rs`); here
//! live the trait, the "no credential store" default and what the
//! application keeps through it.
//!
//! Secrets kept in a credential store stay out of the data directory, so a
//! copied `config.json` does not carry them. Where no store answers (no
//! session bus, no keyring daemon), callers keep the secret as before and
//! say so in the log; nothing is lost either way.

/// A credential store. The app uses the OS one; tests use
/// [`NoCredentialStore`] or a map.
pub trait Secrets {
    /// Stores `value` under `name`; false when no credential store took it.
    fn put(&self, name: &str, value: &str) -> bool;
    /// The value stored under `name`, if the store answers and holds one.
    fn get(&self, name: &str) -> Option<String>;
    /// Forgets `name` (nothing to do when it is not there).
    fn delete(&self, name: &str);
}

/// No credential store: `put` is refused, so callers keep secrets as before.
pub struct NoCredentialStore;

impl Secrets for NoCredentialStore {
    fn put(&self, _: &str, _: &str) -> bool {
        false
    }
    fn get(&self, _: &str) -> Option<String> {
        None
    }
    fn delete(&self, _: &str) {}
}

/// Approvers' sealed signing keys in the credential store, one entry per
/// data directory and person (the store decides when to use it).
pub struct ApproverKeys {
    secrets: &'static (dyn Secrets + Sync),
    data_dir: std::path::PathBuf,
}

impl ApproverKeys {
    pub fn new(secrets: &'static (dyn Secrets + Sync), data_dir: &std::path::Path) -> Self {
        Self {
            secrets,
            data_dir: data_dir.to_path_buf(),
        }
    }

    fn entry(&self, user: &jianban_domain::UserId) -> String {
        format!("approver-key {user} {}", self.data_dir.display())
    }
}

impl jianban_store::KeyVault for ApproverKeys {
    fn put(&self, user: &jianban_domain::UserId, sealed: &str) -> bool {
        self.secrets.put(&self.entry(user), sealed)
    }
    fn get(&self, user: &jianban_domain::UserId) -> Option<String> {
        self.secrets.get(&self.entry(user))
    }
}

#[cfg(test)]
pub mod fake {
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// An in-memory store; `available: false` behaves like a PC without one.
    #[derive(Default)]
    pub struct MapSecrets {
        pub available: bool,
        pub map: RefCell<HashMap<String, String>>,
    }

    impl super::Secrets for MapSecrets {
        fn put(&self, name: &str, value: &str) -> bool {
            if self.available {
                self.map.borrow_mut().insert(name.into(), value.into());
            }
            self.available
        }
        fn get(&self, name: &str) -> Option<String> {
            self.map.borrow().get(name).cloned()
        }
        fn delete(&self, name: &str) {
            self.map.borrow_mut().remove(name);
        }
    }
}
