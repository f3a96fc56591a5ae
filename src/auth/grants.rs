//! What each sealed blob holds and how long it lives. What must be remembered about them
//! (used once, families revoked) is in [`super::store`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The user is on Intercom's consent page meanwhile.
pub const FLOW_TTL: u64 = 10 * 60;
/// OAuth 2.1 §4.1.2 recommends codes live at most 10 minutes; a client redeems at once.
pub const CODE_TTL: u64 = 2 * 60;
pub const ACCESS_TTL: u64 = 60 * 60;
pub const REFRESH_TTL: u64 = 30 * 24 * 60 * 60;
/// A refresh token presented again this soon after its first use, while its successor is
/// still unused, is a client retrying after a lost answer, not a thief ([`super::token`]).
pub const REFRESH_GRACE: u64 = 30;

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// The life left until `exp`: how long a store entry about it is kept (one second at least).
pub fn until(exp: u64) -> Duration {
    Duration::from_secs(exp.saturating_sub(now()).max(1))
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
    /// The client it was issued to, which the audit trail names as who acted (tokens sealed
    /// before it was kept have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// A refresh token: as an access token, for one client, living longer. Intercom's own tokens
/// do not expire, so refreshing needs no call to Intercom. Each is used once; `family` is the
/// same for every token rotated from one sign-in, so a reuse revokes them all. Tokens sealed
/// before families existed have none: they are honored once and start one.
#[derive(Serialize, Deserialize)]
pub struct Refresh {
    pub client_id: String,
    pub token: String,
    pub region: String,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refresh_token_sealed_before_families_still_reads() {
        let old = r#"{"client_id":"c","token":"t","region":"eu","exp":9}"#;
        let refresh: Refresh = serde_json::from_str(old).unwrap();
        assert!(refresh.family.is_none() && refresh.exp == 9);
    }
}
