//! Access tokens: HMAC-SHA256 signed claims, checked without a database
//! read (the change feed is polled often). Short-lived; refresh tokens are
//! random, stored hashed, single-use.

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

fn mac(key: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length")
}

pub fn sign(key: &[u8], claims: &Claims) -> String {
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
    let mut m = mac(key);
    m.update(body.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    format!("{body}.{sig}")
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Invalid,
    Expired,
}

pub fn verify(key: &[u8], token: &str, now_unix: i64) -> Result<Claims, TokenError> {
    let (body, sig) = token.split_once('.').ok_or(TokenError::Invalid)?;
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|_| TokenError::Invalid)?;
    let mut m = mac(key);
    m.update(body.as_bytes());
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

    #[test]
    fn tokens_round_trip_and_refuse_tampering() {
        let key = random_bytes::<32>();
        let claims = Claims {
            sub: "fgw-liaison".into(),
            name: "王晓梅".into(),
            role: UserRole::Liaison,
            unit: Some("fgw".into()),
            dev: "d1".into(),
            exp: 1000,
        };
        let t = sign(&key, &claims);
        assert_eq!(verify(&key, &t, 999).unwrap().sub, "fgw-liaison");
        assert_eq!(verify(&key, &t, 1000).unwrap_err(), TokenError::Expired);
        let other = random_bytes::<32>();
        assert_eq!(verify(&other, &t, 1).unwrap_err(), TokenError::Invalid);
        let mut forged = t.clone();
        forged.insert(3, 'x');
        assert!(verify(&key, &forged, 1).is_err());
    }
}
