//! The token requests carry: swapped atomically by a token update, never logged, its
//! `Authorization` value made once per token.

use std::sync::{Arc, RwLock};

use reqwest::header::HeaderValue;

use crate::config::Secret;

/// The token the next request uses. Swapped atomically by a token update; never logged.
#[derive(Clone, Default)]
pub struct TokenCell(Arc<RwLock<TokenState>>);

#[derive(Default)]
struct TokenState {
    token: Option<Secret>,
    /// `Bearer <token>`, made once per token rather than once per request.
    header: Option<HeaderValue>,
    /// The `timestamp` of the update that set it, when it had one.
    timestamp: Option<i64>,
    /// Counts installed tokens, so what was learned about an earlier token can be dropped.
    generation: u64,
    /// Intercom answered 401 to a request that carried the current token.
    refused: bool,
}

impl TokenCell {
    pub fn new(token: Option<Secret>) -> Self {
        Self(Arc::new(RwLock::new(TokenState {
            header: token.as_ref().and_then(bearer),
            token,
            timestamp: None,
            generation: 0,
            refused: false,
        })))
    }

    /// Notes that Intercom refused (401) a request that carried `sent`, when that is still
    /// the current token's `Authorization` (a rotation meanwhile installed another).
    pub(super) fn refused_with(&self, sent: &HeaderValue) {
        let mut state = self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.header.as_ref() == Some(sent) {
            state.refused = true;
        }
    }

    /// Whether Intercom refused the current token (over HTTP with `--oauth`, the HTTP layer
    /// then answers 401 so the client refreshes or signs in again).
    pub fn is_refused(&self) -> bool {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .refused
    }

    /// The `Authorization` value for the current token. A clone shares the bytes.
    pub(super) fn header(&self) -> Option<HeaderValue> {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .header
            .clone()
    }

    /// Changes whenever a new token is installed.
    pub fn generation(&self) -> u64 {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .generation
    }

    pub fn get(&self) -> Option<Secret> {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .token
            .clone()
    }

    /// Installs `token` unless the current one came from a newer update: notifications are
    /// handled concurrently, so two quick rotations may arrive out of order. Returns whether
    /// it was installed.
    pub fn set(&self, token: Secret, timestamp: Option<i64>) -> bool {
        let mut state = self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let (Some(current), Some(new)) = (state.timestamp, timestamp)
            && new < current
        {
            return false;
        }
        state.header = bearer(&token);
        state.token = Some(token);
        state.generation += 1;
        state.refused = false;
        state.timestamp = timestamp.or(state.timestamp);
        true
    }
}

/// The `Authorization` header value for `token`, marked sensitive. `None` only for a token
/// with characters HTTP forbids, which [`Secret::parse`] never admits.
fn bearer(token: &Secret) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).ok()?;
    value.set_sensitive(true);
    Some(value)
}

impl std::fmt::Debug for TokenCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCell([redacted])")
    }
}
