//! Bearer tokens: how they look, how a request carries them, how they are hashed, how they
//! are checked.
//!
//! A token is `chy_<lookup>_<secret>`, sent as `Authorization: Bearer <token>`. The lookup half finds the row; only a SHA-256 of the
//! secret half is stored, and it is compared in constant time. Tokens are random (256 bits of
//! secret), so a fast hash is the right tool: there is nothing to brute-force.

use actix_web::http::header::{self, HeaderMap};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What a token may do. Each scope includes the ones before it: `admin` ⊇ `write` ⊇ `read`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    sqlx::Type,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "token_scope", rename_all = "snake_case")]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub fn allows(self, required: Scope) -> bool {
        self >= required
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Admin => "admin",
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

const PREFIX: &str = "chy_";
const LOOKUP_BYTES: usize = 8;
const SECRET_BYTES: usize = 32;

/// A freshly generated token: the full text is shown once; lookup and hash are stored.
pub struct GeneratedToken {
    pub token: String,
    pub lookup: String,
    pub secret_sha256: Vec<u8>,
}

pub fn generate() -> GeneratedToken {
    let mut rng = rand::rngs::OsRng;
    let mut lookup = [0u8; LOOKUP_BYTES];
    let mut secret = [0u8; SECRET_BYTES];
    rng.fill_bytes(&mut lookup);
    rng.fill_bytes(&mut secret);
    let lookup = hex(&lookup);
    let secret = hex(&secret);
    GeneratedToken {
        token: format!("{PREFIX}{lookup}_{secret}"),
        secret_sha256: sha256(secret.as_bytes()),
        lookup,
    }
}

/// The token in `Authorization: Bearer <token>`, if the request sends one; a header that is
/// not of that form is refused, in words.
pub fn bearer(headers: &HeaderMap) -> Result<Option<&str>, &'static str> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| "the Authorization header is not readable text")?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or("use `Authorization: Bearer <token>`")?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err("use `Authorization: Bearer <token>`");
    }
    Ok(Some(token.trim()))
}

/// Splits a presented token into its lookup and secret halves; `None` if it is not shaped
/// like one of ours (which is answered like any other bad token).
pub fn split(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix(PREFIX)?;
    let (lookup, secret) = rest.split_once('_')?;
    let is_hex =
        |s: &str, bytes: usize| s.len() == bytes * 2 && s.bytes().all(|b| b.is_ascii_hexdigit());
    (is_hex(lookup, LOOKUP_BYTES) && is_hex(secret, SECRET_BYTES)).then_some((lookup, secret))
}

/// Whether `secret` hashes to `stored`, compared in constant time.
pub fn verify(secret: &str, stored: &[u8]) -> bool {
    sha256(secret.as_bytes()).ct_eq(stored).into()
}

pub fn sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_split_and_verify() {
        let generated = generate();
        let (lookup, secret) = split(&generated.token).unwrap_or_default();
        assert_eq!(lookup, generated.lookup);
        assert!(verify(secret, &generated.secret_sha256));
        // Any other secret, here one differing in the first character, does not verify.
        let first = if secret.starts_with('0') { "1" } else { "0" };
        let other = format!("{first}{}", &secret[1..]);
        assert!(!verify(&other, &generated.secret_sha256));
    }

    #[test]
    fn malformed_tokens_do_not_split() {
        for bad in [
            "",
            "chy_",
            "chy_abc_def",
            "Bearer x",
            "chy_0123456789abcdef_short",
        ] {
            assert!(split(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_token_is_read_from_a_bearer_authorization() {
        let read = |value: Option<&[u8]>| {
            let mut headers = HeaderMap::new();
            if let Some(value) = value {
                let value =
                    header::HeaderValue::from_bytes(value).unwrap_or_else(|e| panic!("{e}"));
                headers.insert(header::AUTHORIZATION, value);
            }
            bearer(&headers).map(|token| token.map(str::to_owned))
        };
        assert_eq!(read(None), Ok(None));
        assert_eq!(read(Some(b"Bearer chy_a_b")), Ok(Some("chy_a_b".into())));
        assert_eq!(read(Some(b" bearer  chy_a_b ")), Ok(Some("chy_a_b".into())));
        for refused in [
            &b"Basic YTpi"[..],
            b"Bearer",
            b"chy_a_b",
            "Bearer é".as_bytes(),
        ] {
            assert!(read(Some(refused)).is_err(), "{refused:?}");
        }
    }

    #[test]
    fn scopes_include_smaller_ones() {
        assert!(Scope::Admin.allows(Scope::Write));
        assert!(Scope::Write.allows(Scope::Read));
        assert!(!Scope::Read.allows(Scope::Write));
        assert!(!Scope::Write.allows(Scope::Admin));
    }
}
