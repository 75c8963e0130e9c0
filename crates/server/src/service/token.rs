//! Access tokens: HMAC-SHA256 signed claims. Short-lived; besides the
//! signature, `Service::authenticate` reads the user's and the device's
//! standing once per request (the office's decisions apply at once).
//! Refresh tokens are random, stored hashed, single-use.
//!
//! A token is `key-id.claims.signature`: it names the key it was signed
//! with, so a rotated key's tokens still verify while they live (the keys
//! live in a file outside the database, see `key_file`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use jianban_domain::{Actor, UnitId, UserId, UserRole};

/// Access tokens live 15 minutes.
pub const ACCESS_TTL_SECS: u64 = 15 * 60;
/// Refresh tokens live 30 days (and are rotated on every use).
pub const REFRESH_TTL_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub name: String,
    pub role: UserRole,
    #[serde(default)]
    pub unit: Option<String>,
    pub dev: String,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
}

impl Claims {
    pub fn actor(&self) -> Actor {
        Actor {
            user: UserId::new(&self.sub),
            name: self.name.clone(),
            role: self.role,
            unit: self.unit.as_ref().map(UnitId::new),
        }
    }
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    buf
}

pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// Refresh tokens are stored as their SHA-256: a copy of the database does
/// not hold usable tokens.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// One signing key: its id (named in the tokens it signs), its secret, and
/// for a previous key the Unix time after which it verifies nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    pub id: String,
    pub secret: Vec<u8>,
    pub retires_at: Option<i64>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret, not even in a log line.
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .field("retires_at", &self.retires_at)
            .finish()
    }
}

/// The current key (signs and verifies) and the previous ones (verify only).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TokenKeys {
    keys: Vec<SigningKey>,
}

pub fn valid_key_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A new key's id: when it was made, and a random part so two rotations in
/// one second still differ.
pub fn new_key_id(now_unix: i64) -> String {
    let at = chrono::DateTime::from_timestamp(now_unix, 0)
        .map(|t| t.format("%Y%m%dT%H%M%S").to_string())
        .unwrap_or_else(|| now_unix.to_string());
    format!("{at}-{}", hex::encode(random_bytes::<2>()))
}

impl TokenKeys {
    /// The first key is the current one.
    pub fn new(keys: Vec<SigningKey>) -> TokenKeys {
        TokenKeys { keys }
    }

    pub fn all(&self) -> &[SigningKey] {
        &self.keys
    }

    pub fn current(&self) -> Option<&SigningKey> {
        self.keys.first()
    }

    /// As the server runs with them from `now`: previous keys past their
    /// end dropped, and a previous key without an end kept for one access
    /// token lifetime from now (the tokens an earlier process signed with
    /// it live at most that long).
    pub fn settled(&self, now_unix: i64) -> TokenKeys {
        let ttl = ACCESS_TTL_SECS as i64;
        let mut keys = self.keys.clone();
        for k in keys.iter_mut().skip(1) {
            k.retires_at.get_or_insert(now_unix + ttl);
        }
        keys.retain(|k| k.retires_at.is_none_or(|t| t > now_unix));
        TokenKeys { keys }
    }

    /// A new current key; the old current one becomes a previous key
    /// without an end yet, and previous keys past their end go.
    pub fn rotated(&self, now_unix: i64) -> TokenKeys {
        let mut keys = vec![SigningKey {
            id: new_key_id(now_unix),
            secret: random_bytes::<32>().to_vec(),
            retires_at: None,
        }];
        keys.extend(
            self.keys
                .iter()
                .filter(|k| k.retires_at.is_none_or(|t| t > now_unix))
                .cloned(),
        );
        TokenKeys { keys }
    }

    fn verifier(&self, id: &str, now_unix: i64) -> Option<&SigningKey> {
        self.keys
            .iter()
            .find(|k| k.id == id && k.retires_at.is_none_or(|t| t > now_unix))
    }
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length")
}

/// Signs with the current key. The server loads its keys before it
/// listens, so a missing key is a fault of the program, not of a request.
pub fn sign(keys: &TokenKeys, claims: &Claims) -> String {
    let key = keys
        .current()
        .expect("the token signing keys are loaded before the server listens");
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
    let signed = format!("{}.{body}", key.id);
    let mut m = mac(&key.secret);
    m.update(signed.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    format!("{signed}.{sig}")
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Invalid,
    Expired,
}

pub fn verify(keys: &TokenKeys, token: &str, now_unix: i64) -> Result<Claims, TokenError> {
    let (signed, sig) = token.rsplit_once('.').ok_or(TokenError::Invalid)?;
    let (id, body) = signed.split_once('.').ok_or(TokenError::Invalid)?;
    let key = keys.verifier(id, now_unix).ok_or(TokenError::Invalid)?;
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|_| TokenError::Invalid)?;
    let mut m = mac(&key.secret);
    m.update(signed.as_bytes());
    m.verify_slice(&sig).map_err(|_| TokenError::Invalid)?;
    let json = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| TokenError::Invalid)?;
    let claims: Claims = serde_json::from_slice(&json).map_err(|_| TokenError::Invalid)?;
    if claims.exp <= now_unix {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(id: &str) -> TokenKeys {
        TokenKeys::new(vec![SigningKey {
            id: id.into(),
            secret: random_bytes::<32>().to_vec(),
            retires_at: None,
        }])
    }

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: "fgw-liaison".into(),
            name: "王晓梅".into(),
            role: UserRole::Liaison,
            unit: Some("fgw".into()),
            dev: "d1".into(),
            exp,
        }
    }

    #[test]
    fn tokens_round_trip_and_refuse_tampering() {
        let key = keys("k1");
        let t = sign(&key, &claims(1000));
        assert!(t.starts_with("k1."), "{t}");
        assert_eq!(verify(&key, &t, 999).unwrap().sub, "fgw-liaison");
        assert_eq!(verify(&key, &t, 1000).unwrap_err(), TokenError::Expired);
        // Another secret under the same id.
        assert_eq!(verify(&keys("k1"), &t, 1).unwrap_err(), TokenError::Invalid);
        let mut forged = t.clone();
        forged.insert(5, 'x');
        assert!(verify(&key, &forged, 1).is_err());
        // The id is signed too: renaming the key breaks the signature.
        let renamed = t.replacen("k1.", "k2.", 1);
        let both = TokenKeys::new(vec![key.all()[0].clone(), {
            let mut k = key.all()[0].clone();
            k.id = "k2".into();
            k
        }]);
        assert_eq!(verify(&both, &renamed, 1).unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn a_rotated_key_verifies_until_its_end_then_nothing() {
        let old = keys("old");
        let t = sign(&old, &claims(10_000));
        let rotated = old.rotated(100);
        assert_ne!(rotated.current().unwrap().id, "old");
        // Not settled yet (the server has not started with it): no end.
        assert_eq!(rotated.all()[1].retires_at, None);
        let running = rotated.settled(100);
        let end = 100 + ACCESS_TTL_SECS as i64;
        assert_eq!(running.all()[1].retires_at, Some(end));
        assert_eq!(verify(&running, &t, end - 1).unwrap().sub, "fgw-liaison");
        assert_eq!(verify(&running, &t, end).unwrap_err(), TokenError::Invalid);
        // Settled again after the end, the old key is gone.
        assert_eq!(running.settled(end).all().len(), 1);
        // New tokens name the new key.
        let n = sign(&running, &claims(10_000));
        assert!(n.starts_with(&format!("{}.", running.current().unwrap().id)));
    }
}
