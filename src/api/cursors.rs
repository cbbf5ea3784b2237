//! Sealed cursors: what a list or the change feed hands out as a place to continue is
//! encrypted and authenticated, so it reveals nothing of the server (transaction numbers,
//! the database's identifier, row ids) and a cursor the service did not issue, or one
//! altered, is refused before anything is looked up.
//!
//! The key is random, made once by a migration and kept in the database (`cursor_key`):
//! every process, and through replication every replica and a promoted replica, reads the
//! same one, so a cursor issued by one is read by any other. Each request handler finds it
//! through a task-local set by [`keys`], so the lists need no parameter for it.
//!
//! The construction is SIV with HMAC-SHA256 (deterministic authenticated encryption): the
//! tag is a MAC of the plaintext under one derived key, and the plaintext is XORed with a
//! keystream of HMACs of the tag under another. The same place always gives the same
//! cursor, and no nonce has to be remembered.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, web};
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{ApiError, Result};

use super::state::AppState;

/// Bytes of the tag at the head of every cursor.
const TAG: usize = 16;
/// How long after the key could not be read a request tries again.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// The longest a request waits for the key to be read.
const READ_WAIT: Duration = Duration::from_secs(1);

/// The keys cursors are sealed with, derived from the database's.
pub struct CursorKey {
    mac: [u8; 32],
    cipher: [u8; 32],
}

impl CursorKey {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            mac: hmac(secret, &[b"chancery cursor tag"]),
            cipher: hmac(secret, &[b"chancery cursor stream"]),
        }
    }

    /// `plain`, encrypted and authenticated, as URL-safe base64.
    pub fn seal(&self, plain: &[u8]) -> String {
        let tag = &hmac(&self.mac, &[plain])[..TAG];
        let mut sealed = tag.to_vec();
        sealed.extend_from_slice(plain);
        self.stream(tag, &mut sealed[TAG..]);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed)
    }

    /// What `seal` sealed; `None` for anything this key did not seal.
    pub fn open(&self, cursor: &str) -> Option<Vec<u8>> {
        let sealed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()?;
        if sealed.len() < TAG {
            return None;
        }
        let (tag, body) = sealed.split_at(TAG);
        let mut plain = body.to_vec();
        self.stream(tag, &mut plain);
        let expected = hmac(&self.mac, &[&plain]);
        bool::from(expected[..TAG].ct_eq(tag)).then_some(plain)
    }

    /// XORs `data` with the keystream of `tag`.
    fn stream(&self, tag: &[u8], data: &mut [u8]) {
        for (block, chunk) in data.chunks_mut(32).enumerate() {
            let counter = u32::try_from(block).unwrap_or(u32::MAX).to_be_bytes();
            let pad = hmac(&self.cipher, &[tag, &counter]);
            for (byte, pad) in chunk.iter_mut().zip(pad) {
                *byte ^= pad;
            }
        }
    }
}

/// HMAC-SHA256 (RFC 2104) of the concatenated `parts`.
fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for part in parts {
        inner.update(part);
    }
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

tokio::task_local! {
    /// The key of the request being handled, if the database gave it.
    static KEY: Option<Arc<CursorKey>>;
}

/// The key of the request being handled.
pub fn key() -> Result<Arc<CursorKey>> {
    KEY.try_with(Option::clone).ok().flatten().ok_or_else(|| {
        ApiError::Unavailable(
            "cursors cannot be made or read until the database is reachable; retry shortly".into(),
        )
    })
}

/// Runs `f` with `key` as the request's key (for tests of what uses it).
#[cfg(test)]
pub fn with_key<T>(key: &Arc<CursorKey>, f: impl FnOnce() -> T) -> T {
    KEY.sync_scope(Some(Arc::clone(key)), f)
}

/// The process's copy of the database's key, read by the first request that needs it.
#[derive(Default)]
pub struct Keys {
    key: OnceLock<Arc<CursorKey>>,
    /// Held while the key is read (by one request at a time); when it last could not be.
    reading: tokio::sync::Mutex<Option<Instant>>,
}

impl Keys {
    async fn get(&self, state: &AppState) -> Option<Arc<CursorKey>> {
        if let Some(key) = self.key.get() {
            return Some(key.clone());
        }
        let mut failed_at = self.reading.lock().await;
        if let Some(key) = self.key.get() {
            return Some(key.clone());
        }
        if failed_at.is_some_and(|at| at.elapsed() < RETRY_AFTER) {
            return None;
        }
        // Any server has it: a replica too, when the primary is down.
        let secret = tokio::time::timeout(READ_WAIT, async {
            let (mut conn, _) = state.reads.read(None).await?;
            let secret = crate::store::changes::cursor_key(&mut conn).await?;
            conn.release();
            Ok::<_, ApiError>(secret)
        });
        match secret.await {
            Ok(Ok(secret)) => Some(
                self.key
                    .get_or_init(|| Arc::new(CursorKey::new(&secret)))
                    .clone(),
            ),
            failed => {
                if let Ok(Err(error)) = failed {
                    tracing::warn!(error = %error, "the cursor key could not be read");
                }
                *failed_at = Some(Instant::now());
                None
            }
        }
    }
}

/// Makes the cursor key the request's (see [`key`]). Only reads of the API make or take
/// cursors; nothing else waits for the key to be read.
pub async fn keys(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> std::result::Result<ServiceResponse<impl MessageBody>, Error> {
    let lists =
        matches!(*req.method(), Method::GET | Method::HEAD) && req.path().starts_with("/v1/");
    let key = match (
        req.app_data::<web::Data<Keys>>().cloned(),
        req.app_data::<web::Data<AppState>>().cloned(),
    ) {
        (Some(keys), Some(state)) if lists => keys.get(&state).await,
        _ => None,
    };
    KEY.scope(key, next.call(req)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_is_rfc_4231() {
        // Test case 2 of RFC 4231.
        let mac = hmac(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            crate::auth::hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn what_is_sealed_opens_with_its_key_only() {
        let key = CursorKey::new(b"one key");
        let plain = b"{\"k\":[\"Kazakhstan\",7],\"f\":\"0011\"} and more than one block";
        let sealed = key.seal(plain);
        assert_eq!(key.open(&sealed).as_deref(), Some(&plain[..]));
        assert_eq!(key.seal(plain), sealed, "deterministic");
        assert!(!sealed.contains("Kazakhstan"));
        assert!(CursorKey::new(b"another key").open(&sealed).is_none());
        // Any change to any byte is refused.
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&sealed)
            .unwrap_or_default();
        for i in 0..bytes.len() {
            let mut altered = bytes.clone();
            altered[i] ^= 1;
            let altered = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(altered);
            assert!(key.open(&altered).is_none(), "byte {i}");
        }
        for text in ["", "!!", "AAAA", &sealed[..sealed.len() - 2]] {
            assert!(key.open(text).is_none(), "{text:?}");
        }
        assert_eq!(key.open(&key.seal(b"")).as_deref(), Some(&b""[..]));
    }
}
