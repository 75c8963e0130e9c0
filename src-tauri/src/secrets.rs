//! The operating system's credential store, where one exists: Windows
//! Credential Manager, the Secret Service (GNOME Keyring, KWallet, and the
//! keyrings of UOS and Kylin) on Linux, the Keychain on macOS.
//!
//! Secrets kept here stay out of the data directory, so a copied
//! `config.json` does not carry them. Where no store answers (no session
//! bus, no keyring daemon), callers keep the secret as before and say so in
//! the log; nothing is lost either way.

/// Where secrets can be kept. The app uses [`OsKeyring`]; tests use a map.
pub trait Secrets {
    /// Stores `value` under `name`; false when no credential store took it.
    fn put(&self, name: &str, value: &str) -> bool;
    /// The value stored under `name`, if the store answers and holds one.
    fn get(&self, name: &str) -> Option<String>;
    /// Forgets `name` (nothing to do when it is not there).
    fn delete(&self, name: &str);
}

/// Service name under which the app's entries appear in the OS store.
pub const SERVICE: &str = "jianban";

/// Set (to anything) to keep every secret in the data directory, as on a
/// PC without a credential store. Unit tests always behave so, and the
/// end-to-end tests set it, so no test writes into a person's real keyring.
pub const ENV_NO_CREDENTIAL_STORE: &str = "JIANBAN_NO_CREDENTIAL_STORE";

/// The credential store the app uses: the OS one, unless tests or
/// [`ENV_NO_CREDENTIAL_STORE`] say there is none.
pub fn system() -> &'static (dyn Secrets + Sync) {
    if cfg!(test) || std::env::var_os(ENV_NO_CREDENTIAL_STORE).is_some() {
        &NoCredentialStore
    } else {
        &OsKeyring
    }
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

/// The OS credential store through the `keyring` crate.
pub struct OsKeyring;

impl Secrets for OsKeyring {
    fn put(&self, name: &str, value: &str) -> bool {
        match keyring::Entry::new(SERVICE, name).and_then(|e| e.set_password(value)) {
            Ok(()) => true,
            Err(e) => {
                tracing::info!(error = %e, "no OS credential store; the secret stays in the data directory");
                false
            }
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        match keyring::Entry::new(SERVICE, name).and_then(|e| e.get_password()) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(error = %e, "a secret could not be read from the OS credential store");
                None
            }
        }
    }

    fn delete(&self, name: &str) {
        if let Ok(e) = keyring::Entry::new(SERVICE, name) {
            let _ = e.delete_credential();
        }
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
