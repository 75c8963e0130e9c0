//! Approvers' passwords on the desktop, and the lockout.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{Duration, NaiveDateTime};
use rand_core::OsRng;
use serde::{Deserialize, Serialize};

use crate::error::SignoffError;

pub const MIN_PASSWORD_CHARS: usize = 8;

/// An argon2id hash in PHC string form (`$argon2id$v=19$…`).
pub fn hash_password(password: &str) -> Result<String, SignoffError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(SignoffError::WeakPassword);
    }
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any password")
        .to_string())
}

/// Constant-time check of `password` against a PHC hash; a malformed hash
/// never matches.
pub fn verify_password(phc: &str, password: &str) -> bool {
    argon2::PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Five failures lock the account for fifteen minutes (the rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_minutes: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_minutes: 15,
        }
    }
}

/// Failed logins of one account, kept with the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginAttempts {
    pub failures: u32,
    pub locked_until: Option<NaiveDateTime>,
}

impl LoginAttempts {
    /// Checks the password, counting failures. While locked, even the right
    /// password is refused, with the time the lock ends.
    pub fn attempt(
        &mut self,
        phc: &str,
        password: &str,
        now: NaiveDateTime,
        policy: LockoutPolicy,
    ) -> Result<(), SignoffError> {
        if let Some(until) = self.locked_until {
            if now < until {
                return Err(SignoffError::Locked { until });
            }
            // The lock has run out: start counting again.
            *self = Self::default();
        }
        if verify_password(phc, password) {
            *self = Self::default();
            return Ok(());
        }
        self.failures += 1;
        if self.failures >= policy.max_failures {
            let until = now + Duration::minutes(policy.lock_minutes);
            self.locked_until = Some(until);
            return Err(SignoffError::Locked { until });
        }
        Err(SignoffError::WrongPassword)
    }
}
