//! Accounts, as far as the core needs them now: the admin account made when
//! a site is created, stored with an argon2 hash. Roles, groups and login
//! come with the security release.

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// A stored account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The login name.
    pub login: String,
    /// The full name shown to others.
    pub fullname: String,
    /// Contact address.
    #[serde(default)]
    pub email: Option<String>,
    /// The argon2 hash of the password (PHC string).
    pub password_hash: String,
    /// Site-wide roles (`Manager`…).
    #[serde(default)]
    pub roles: Vec<String>,
}

impl User {
    /// Makes an account with the password hashed.
    pub fn new(login: &str, fullname: &str, password: &str, roles: &[&str]) -> Self {
        Self {
            login: login.to_owned(),
            fullname: fullname.to_owned(),
            email: None,
            password_hash: hash_password(password),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    /// Whether `password` is this account's password.
    pub fn check_password(&self, password: &str) -> bool {
        PasswordHash::new(&self.password_hash).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    }
}

fn hash_password(password: &str) -> String {
    let bytes: [u8; 16] = rand::rng().random();
    let Ok(salt) = SaltString::encode_b64(&bytes) else {
        return String::new();
    };
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        // Hashing with a fresh salt and default parameters does not fail;
        // an empty hash would refuse every password, which is the safe side.
        .unwrap_or_default()
}

/// A random password of 20 letters and digits, for a first admin account.
pub fn generate_password() -> String {
    const CHARS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}
