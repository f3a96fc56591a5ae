//! Sessions without state, for 2025 clients: a client on a 2025 revision states its
//! capabilities (the MCP Apps extension among them) only at `initialize`, and every later
//! request meets a fresh handler. So the answer to `initialize` carries an `Mcp-Session-Id`
//! that is the negotiated revision and the client's capabilities, sealed
//! ([`crate::auth::seal`], kind `session`) and bound to the tenant (a hash of the Intercom token
//! the request acts with). Nothing is stored: any replica with the key opens it and puts a
//! [`Declared`] in the request's extensions, where [`crate::declared`] reads it.
//!
//! The Streamable HTTP transport, 2025-11-25, "Session Management"
//! (<https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#session-management>):
//! the server MAY assign a session id in an `MCP-Session-Id` header on the response holding the
//! `InitializeResult` (visible ASCII only: ours is base64url); the client MUST send it on every
//! later request; a request whose session id the server does not know MUST get HTTP 404, after
//! which the client MUST initialize again. A request without one is served as before: sessions
//! are not required. A DELETE (ending a session) is left to rmcp, whose stateless service
//! answers 405, which the same section allows ("the server does not allow clients to terminate
//! sessions"): there is nothing to delete.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Extension;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest::{SHA256, digest};
use rmcp::model::{ClientCapabilities, ClientJsonRpcMessage, ClientRequest, ProtocolVersion};
use serde::{Deserialize, Serialize};

use crate::credentials::RequestToken;
use crate::declared::Declared;
use crate::metrics::Refusal;
use crate::state::seal::{Keys, Kind, Sealer};

pub const HEADER: &str = "mcp-session-id";

/// A session id longer than this is not issued (the client is served statelessly): clients and
/// proxies limit header sizes, commonly to 8 KiB for all of them together.
const MAX_ID_BYTES: usize = 4096;

/// The largest `initialize` answer read for its revision (ours is a few KiB).
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// Seals and opens session ids.
pub struct Sessions {
    sealer: Sealer,
}

/// What a session id holds.
#[derive(Serialize, Deserialize)]
struct Sealed {
    #[serde(flatten)]
    declared: Declared,
    /// The tenant it was issued to: see [`tenant`].
    tenant: String,
    /// Unix seconds when it was issued; for diagnosis only. A session id grants nothing (the
    /// request's credentials do), so an old one is as good as a new one, and expiring it
    /// would only make clients initialize again.
    issued: u64,
}

impl Sessions {
    /// Session ids sealed with `keys` ([`crate::state::seal::shared_keys`]:
    /// `INTERCOM_MCP_TOKEN_KEY`, the same keys as OAuth's, so every replica of a deployment
    /// opens every session id; else a random key for this process, and then a session id opens
    /// only on the process that issued it: a client sent to another replica, or reconnecting
    /// after a restart, is answered 404 and initializes again. main warns of that once).
    pub fn new(keys: &Keys) -> Result<Self, String> {
        Ok(Sessions {
            sealer: keys.sealer("streamable-http")?,
        })
    }

    fn seal(&self, declared: Declared, tenant: String) -> Option<String> {
        let issued = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let sealed = Sealed {
            declared,
            tenant,
            issued,
        };
        self.sealer.seal(Kind::Session, &sealed).ok()
    }

    /// What the client declared, when `id` is a session id sealed by our key for `tenant`.
    fn open(&self, id: &str, tenant: &str) -> Option<Declared> {
        let sealed: Sealed = self.sealer.open(Kind::Session, id)?;
        (sealed.tenant == tenant).then_some(sealed.declared)
    }
}

/// The tenant a request acts for: a hash of its Intercom token and region (over OAuth, the
/// user's Intercom token, which stays the same when our access token is refreshed). Never the
/// token itself, though the session id is encrypted too.
fn tenant(parts: &Parts) -> String {
    let Some(request_token) = parts.extensions.get::<RequestToken>() else {
        return String::new();
    };
    let text = format!(
        "{}\n{}",
        request_token.token.expose(),
        request_token.base_url.as_deref().unwrap_or_default()
    );
    let hash = digest(&SHA256, text.as_bytes());
    URL_SAFE_NO_PAD.encode(hash.as_ref().get(..16).unwrap_or_default())
}

/// The layer: a POST's session id opened (or the request answered 404), and an `initialize`
/// answered with a new session id. Runs after the credentials check and the body screen, so
/// the body it reads is already in memory and within the size limit.
pub async fn remember(
    State(sessions): State<Arc<Sessions>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return (StatusCode::BAD_REQUEST, "the request body is malformed").into_response();
    };
    // `initialize` starts afresh whatever id it carries (a client initializing again may still
    // send its old one); any other request's id must open.
    let capabilities = initialize_capabilities(&bytes);
    if capabilities.is_none()
        && let Some(id) = parts.headers.get(HEADER)
    {
        match id
            .to_str()
            .ok()
            .and_then(|id| sessions.open(id, &tenant(&parts)))
        {
            Some(declared) => {
                parts.extensions.insert(declared);
            }
            // Ours under another key, for another tenant, or not ours at all.
            None => {
                tracing::info!("refused a request whose session id does not open here");
                return (
                    StatusCode::NOT_FOUND,
                    Extension(Refusal::Session),
                    "this Mcp-Session-Id is not one this server issued to these credentials \
                     (or it was sealed with another key): send initialize again, without it",
                )
                    .into_response();
            }
        }
    }
    let Some(capabilities) = capabilities else {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    let tenant = tenant(&parts);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    issue(&sessions, response, capabilities, tenant).await
}

/// The capabilities of an `initialize` request; `None` for any other message. Most bodies are
/// told apart without parsing: they do not hold the word.
fn initialize_capabilities(body: &Bytes) -> Option<ClientCapabilities> {
    const WORD: &[u8] = b"\"initialize\"";
    if !body.windows(WORD.len()).any(|window| window == WORD) {
        return None;
    }
    match serde_json::from_slice::<ClientJsonRpcMessage>(body).ok()? {
        ClientJsonRpcMessage::Request(request) => match request.request {
            ClientRequest::InitializeRequest(initialize) => Some(initialize.params.capabilities),
            _ => None,
        },
        _ => None,
    }
}

/// The `initialize` answer with a session id, when it succeeded on a revision that has
/// `initialize` (2026-07-28 states everything in each request, and has no sessions).
async fn issue(
    sessions: &Sessions,
    response: Response,
    capabilities: ClientCapabilities,
    tenant: String,
) -> Response {
    #[derive(Deserialize)]
    struct Answer {
        result: Negotiated,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Negotiated {
        protocol_version: ProtocolVersion,
    }
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ANSWER_BYTES).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the answer could not be read",
        )
            .into_response();
    };
    let revision = serde_json::from_slice::<Answer>(&bytes)
        .ok()
        .map(|answer| answer.result.protocol_version)
        .filter(ProtocolVersion::has_initialize);
    let id = revision.and_then(|revision| {
        let declared = Declared {
            revision,
            capabilities,
        };
        sessions.seal(declared, tenant)
    });
    match id.filter(|id| id.len() <= MAX_ID_BYTES) {
        Some(id) => {
            if let Ok(value) = HeaderValue::from_str(&id) {
                parts.headers.insert(HEADER, value);
            }
        }
        None => tracing::debug!("no session id for this initialize: served statelessly"),
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn sessions(key: Option<&str>) -> Sessions {
        let keys = crate::state::seal::shared_keys(|name| {
            (name == "INTERCOM_MCP_TOKEN_KEY")
                .then(|| key.map(str::to_owned))
                .flatten()
        })
        .unwrap();
        Sessions::new(&keys).unwrap()
    }

    fn declared() -> Declared {
        Declared {
            revision: ProtocolVersion::V_2025_06_18,
            capabilities: serde_json::from_value(
                json!({"extensions": {"io.modelcontextprotocol/ui": {}}}),
            )
            .unwrap(),
        }
    }

    #[test]
    fn a_session_opens_with_the_same_key_for_the_same_tenant_only() {
        let id = sessions(Some(KEY))
            .seal(declared(), "alice".to_owned())
            .unwrap();
        assert_eq!(sessions(Some(KEY)).open(&id, "alice"), Some(declared()));
        assert_eq!(sessions(Some(KEY)).open(&id, "bob"), None);
        assert_eq!(sessions(None).open(&id, "alice"), None);
        assert!(id.bytes().all(|byte| (0x21..=0x7e).contains(&byte)));
    }

    #[test]
    fn only_an_initialize_request_is_read_for_capabilities() {
        let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "clientInfo": {"name": "c", "version": "1"},
            "capabilities": {"extensions": {"io.modelcontextprotocol/ui": {}}}}});
        let found = initialize_capabilities(&Bytes::from(initialize.to_string())).unwrap();
        assert_eq!(found, declared().capabilities);
        let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "x", "arguments": {"q": "initialize"}}});
        assert_eq!(
            initialize_capabilities(&Bytes::from(call.to_string())),
            None
        );
    }
}
