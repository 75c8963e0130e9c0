//! The operating system's credential store, where one exists: Windows
//! Credential Manager, the Secret Service (GNOME Keyring, KWallet, and the
//! keyrings of UOS and Kylin) on Linux, the Keychain on macOS. What is kept
//! there, and the fallback without one, is decided in
//! `jianban_desktop::secrets`.

use jianban_desktop::secrets::{NoCredentialStore, Secrets};

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
