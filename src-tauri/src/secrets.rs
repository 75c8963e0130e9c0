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
