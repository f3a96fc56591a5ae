//! Discovery: RFC 9728 protected-resource metadata (§2, §3), RFC 8414 authorization-server
//! metadata (§2, §3), and the challenge a 401 from `/mcp` carries (RFC 9728 §5.1), which is how
//! an MCP client finds all of this (MCP 2026-07-28, "Authorization Server Discovery").

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::OAuth;

/// RFC 9728: which authorization server issues tokens for `/mcp`. Served at the root and, as
/// §3.1 inserts the resource's path after the well-known prefix, at `…/mcp` too.
pub async fn protected_resource(State(oauth): State<Arc<OAuth>>) -> Json<Value> {
    Json(json!({
        "resource": oauth.resource(),
        "authorization_servers": [oauth.public_url],
        "bearer_methods_supported": ["header"],
        "resource_name": "Intercom (intercom-mcp)",
    }))
}

/// RFC 8414: our endpoints and what they accept. Public clients only (no client secret: the
/// `none` auth method), PKCE with S256 only (OAuth 2.1 §4.1.1; MCP requires S256).
pub async fn authorization_server(State(oauth): State<Arc<OAuth>>) -> Json<Value> {
    Json(json!({
        "issuer": oauth.public_url,
        "authorization_endpoint": oauth.endpoint("/authorize"),
        "token_endpoint": oauth.endpoint("/token"),
        "registration_endpoint": oauth.endpoint("/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "client_id_metadata_document_supported": true,
    }))
}

/// The `WWW-Authenticate` value of a 401 from `/mcp` (RFC 6750 §3, RFC 9728 §5.1); with
/// `error="invalid_token"` when a token was presented and refused.
pub fn challenge(oauth: &OAuth, presented: bool) -> String {
    let metadata = oauth.endpoint("/.well-known/oauth-protected-resource/mcp");
    if presented {
        format!(r#"Bearer error="invalid_token", resource_metadata="{metadata}""#)
    } else {
        format!(r#"Bearer resource_metadata="{metadata}""#)
    }
}
