//! What each sealed blob holds, how long it lives, and the one piece of state kept: the
//! authorization codes already redeemed (OAuth 2.1 §4.1.3: a code is used once).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The user is on Intercom's consent page meanwhile.
pub const FLOW_TTL: u64 = 10 * 60;
/// OAuth 2.1 §4.1.2 recommends codes live at most 10 minutes; a client redeems at once.
pub const CODE_TTL: u64 = 2 * 60;
pub const ACCESS_TTL: u64 = 60 * 60;
pub const REFRESH_TTL: u64 = 30 * 24 * 60 * 60;

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// A registered client (RFC 7591): its id is this, sealed, so no registry is kept.
#[derive(Serialize, Deserialize)]
pub struct Client {
    pub redirect_uris: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The `state` we send to Intercom: the client's authorization request, until Intercom's
/// answer comes back on our callback.
#[derive(Serialize, Deserialize)]
pub struct Flow {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub state: Option<String>,
    pub exp: u64,
}

/// Our authorization code: the user's Intercom token, waiting for the PKCE verifier.
#[derive(Serialize, Deserialize)]
pub struct Code {
    pub id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub token: String,
    pub region: String,
    pub exp: u64,
}

/// An access token: the user's Intercom token and the region its workspace lives in. The
/// audience is in the seal's associated data.
#[derive(Serialize, Deserialize)]
pub struct Access {
    pub token: String,
    pub region: String,
    pub exp: u64,
}

/// A refresh token: as an access token, for one client, living longer. Intercom's own tokens
/// do not expire, so refreshing needs no call to Intercom.
#[derive(Serialize, Deserialize)]
pub struct Refresh {
    pub client_id: String,
    pub token: String,
    pub region: String,
    pub exp: u64,
}

/// Codes redeemed and not yet expired. Per process: with several replicas a code could be
/// redeemed once on each within its two minutes (README, "Remote connector"); PKCE still
/// binds it to the client that holds the verifier.
#[derive(Default)]
pub struct Redeemed(Mutex<HashMap<String, u64>>);

impl Redeemed {
    /// Records `id` as redeemed; `false` when it already was.
    pub fn first_use(&self, id: &str, exp: u64) -> bool {
        let mut seen = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = now();
        seen.retain(|_, until| *until >= now);
        seen.insert(id.to_owned(), exp).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_redeemed_once() {
        let redeemed = Redeemed::default();
        let until = now() + CODE_TTL;
        assert!(redeemed.first_use("a", until));
        assert!(!redeemed.first_use("a", until));
        assert!(redeemed.first_use("b", until));
    }
}
