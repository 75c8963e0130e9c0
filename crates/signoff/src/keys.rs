//! Approvers' Ed25519 signing keys, made on first use and kept encrypted.
//!
//! The secret key is encrypted with XChaCha20-Poly1305 under a key derived
//! from the approver's password by argon2id, so a copied database alone does
//! not let anyone sign. The public key is registered with the central server.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::SignoffError;

/// What is stored for an approver: the public key and the sealed secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningIdentity {
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// argon2id salt, hex.
    pub salt: String,
    /// XChaCha20 nonce, hex.
    pub nonce: String,
    /// The encrypted 32-byte secret key with its tag, hex.
    pub sealed_secret: String,
}

/// A signing key unlocked for this session. The secret is wiped on drop
/// (ed25519-dalek zeroizes `SigningKey`).
pub struct UnlockedKey(SigningKey);

impl std::fmt::Debug for UnlockedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UnlockedKey({})", self.public_key_hex())
    }
}

impl UnlockedKey {
    /// A key that is never stored: the demo data set's historical approvals
    /// are signed with such keys, whose public halves are registered.
    pub fn ephemeral() -> Self {
        UnlockedKey(SigningKey::generate(&mut OsRng))
    }

    pub fn public_key_hex(&self) -> String {
        hex::encode(self.0.verifying_key().as_bytes())
    }

    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

fn derive_key(password: &str, salt: &[u8]) -> Zeroizing<[u8; 32]> {
    // OWASP's argon2id minimum (19 MiB, 2 passes): about 20 ms here, paid
    // once per login, not per signature.
    let params = Params::new(19 * 1024, 2, 1, Some(32)).expect("valid argon2 parameters");
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, key.as_mut())
        .expect("argon2 derives a 32-byte key");
    key
}

fn seal(secret: &[u8; 32], password: &str) -> (String, String, String) {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut nonce);
    let key = derive_key(password, &salt);
    let cipher = XChaCha20Poly1305::new(key.as_ref().into());
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), secret.as_slice())
        .expect("encrypting 32 bytes cannot fail");
    (hex::encode(salt), hex::encode(nonce), hex::encode(sealed))
}

impl SigningIdentity {
    /// Makes a new key pair for an approver (on first use).
    pub fn create(password: &str) -> (SigningIdentity, UnlockedKey) {
        let signing = SigningKey::generate(&mut OsRng);
        let (salt, nonce, sealed_secret) = seal(signing.as_bytes(), password);
        let identity = SigningIdentity {
            public_key: hex::encode(signing.verifying_key().as_bytes()),
            salt,
            nonce,
            sealed_secret,
        };
        (identity, UnlockedKey(signing))
    }

    /// Opens the key with the approver's password.
    pub fn unlock(&self, password: &str) -> Result<UnlockedKey, SignoffError> {
        let salt = hex::decode(&self.salt).map_err(|_| SignoffError::DamagedKey)?;
        let nonce = hex::decode(&self.nonce).map_err(|_| SignoffError::DamagedKey)?;
        let sealed = hex::decode(&self.sealed_secret).map_err(|_| SignoffError::DamagedKey)?;
        if nonce.len() != 24 {
            return Err(SignoffError::DamagedKey);
        }
        let key = derive_key(password, &salt);
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        let secret = Zeroizing::new(
            cipher
                .decrypt(XNonce::from_slice(&nonce), sealed.as_slice())
                .map_err(|_| SignoffError::WrongPassword)?,
        );
        let bytes: [u8; 32] = secret
            .as_slice()
            .try_into()
            .map_err(|_| SignoffError::DamagedKey)?;
        let signing = SigningKey::from_bytes(&bytes);
        if hex::encode(signing.verifying_key().as_bytes()) != self.public_key {
            return Err(SignoffError::DamagedKey);
        }
        Ok(UnlockedKey(signing))
    }

    /// Re-seals the same key under a new password.
    pub fn change_password(&self, old: &str, new: &str) -> Result<SigningIdentity, SignoffError> {
        let key = self.unlock(old)?;
        let (salt, nonce, sealed_secret) = seal(key.0.as_bytes(), new);
        Ok(SigningIdentity {
            public_key: self.public_key.clone(),
            salt,
            nonce,
            sealed_secret,
        })
    }

    pub fn verifying_key(&self) -> Result<VerifyingKey, SignoffError> {
        parse_public_key(&self.public_key)
    }
}

/// Whether `hex_key` is a well-formed Ed25519 public key.
pub fn is_valid_public_key(hex_key: &str) -> bool {
    parse_public_key(hex_key).is_ok()
}

pub(crate) fn parse_public_key(hex_key: &str) -> Result<VerifyingKey, SignoffError> {
    let bytes: [u8; 32] = hex::decode(hex_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(SignoffError::DamagedKey)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| SignoffError::DamagedKey)
}
