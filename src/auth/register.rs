//! `/register`: RFC 7591 dynamic client registration, without a registry. The client id is
//! the registration itself, sealed ([`super::grants::Client`]): any replica reads the redirect
//! URIs back out of it. Clients are public (OAuth 2.1 §2.1): no secret is issued, PKCE binds
//! each code to its client.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::OAuth;
use super::grants::{self, Client};
use super::seal::Kind;

/// RFC 7591 §2: the metadata we read; the rest is ignored, as §3.1 allows.
#[derive(Deserialize)]
pub struct Request {
    #[serde(default)]
    redirect_uris: Vec<String>,
    client_name: Option<String>,
}

const MAX_REDIRECT_URIS: usize = 10;

pub async fn register(
    State(oauth): State<Arc<OAuth>>,
    body: Result<Json<Request>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(request)) = body else {
        return refuse(
            "invalid_client_metadata",
            "the body must be a JSON object of client metadata (RFC 7591 §2)",
        );
    };
    if request.redirect_uris.is_empty() || request.redirect_uris.len() > MAX_REDIRECT_URIS {
        return refuse(
            "invalid_redirect_uri",
            "redirect_uris must list 1 to 10 URIs",
        );
    }
    if let Some(bad) = request
        .redirect_uris
        .iter()
        .find(|uri| !redirect_uri_ok(uri))
    {
        return refuse(
            "invalid_redirect_uri",
            &format!(
                "{bad:?} is not a usable redirect URI: https, http on a loopback host, or an app's own scheme in reverse-domain form (com.example.app:/cb); no fragment"
            ),
        );
    }
    let client = Client {
        redirect_uris: request.redirect_uris,
        name: request
            .client_name
            .map(|name| name.chars().take(100).collect()),
    };
    let Ok(client_id) = oauth.sealer.seal(Kind::Client, &client) else {
        return refuse("server_error", "the registration could not be sealed");
    };
    tracing::info!(
        redirect_uris = client.redirect_uris.len(),
        "registered an OAuth client"
    );
    (
        StatusCode::CREATED,
        Json(json!({
            "client_id": client_id,
            "client_id_issued_at": grants::now(),
            "redirect_uris": client.redirect_uris,
            "client_name": client.name,
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
        })),
    )
        .into_response()
}

/// Native clients whose private-use redirect URI is not in reverse-domain form, each taken
/// exactly as the client registers it. Cursor registers this one beside its https and loopback
/// ones, and a registration is refused whole when one URI is: without it Cursor cannot sign in.
/// Interception of the scheme gains nothing without the client's PKCE verifier.
const NATIVE_CALLBACKS: &[&str] = &["cursor://anysphere.cursor-mcp/oauth/callback"];

/// OAuth 2.1 §2.3.1 and RFC 8252 §7, as an allow-list: https; http only to a loopback host
/// (any port, §7.3); a private-use scheme only in reverse-domain form (`com.example.app:/cb`,
/// §7.1), whose dot no scheme a browser or the OS runs (`javascript:`, `ms-msdt:`,
/// `search-ms:`, `file:`) has, or one of the [`NATIVE_CALLBACKS`] exactly. Never a fragment.
pub(super) fn redirect_uri_ok(uri: &str) -> bool {
    if NATIVE_CALLBACKS.contains(&uri) {
        return true;
    }
    let Ok(url) = reqwest::Url::parse(uri) else {
        return false;
    };
    if url.fragment().is_some() {
        return false;
    }
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => is_loopback(&url),
        scheme => scheme.contains('.'),
    }
}

/// Whether a requested redirect URI is the `registered` one: exactly, except that a loopback
/// one may name any port (RFC 8252 §7.3: a native app takes whatever port is free).
pub(super) fn redirect_uri_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let without_port = |uri: &str| {
        let mut url = reqwest::Url::parse(uri).ok().filter(is_loopback)?;
        url.set_port(None).ok()?;
        Some(url)
    };
    match (without_port(registered), without_port(requested)) {
        (Some(registered), Some(requested)) => registered == requested,
        _ => false,
    }
}

/// Whether `requested` is one of the `registered` redirect URIs ([`redirect_uri_matches`]).
pub(super) fn is_registered(registered: &[String], requested: &str) -> bool {
    registered
        .iter()
        .any(|uri| redirect_uri_matches(uri, requested))
}

fn is_loopback(url: &reqwest::Url) -> bool {
    url.scheme() == "http" && matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

fn refuse(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_that_may_be_registered() {
        for ok in [
            "https://claude.ai/api/mcp/auth_callback",
            "https://app.example:8443/cb?x=1",
            "http://127.0.0.1:33418/callback",
            "http://127.0.0.1/callback",
            "http://[::1]:8080/callback",
            "http://localhost:6274/oauth/callback",
            "com.example.app:/oauth2redirect",
            "com.example.app:/oauth2redirect/example-provider",
            "io.modelcontextprotocol.inspector://callback",
            "cursor://anysphere.cursor-mcp/oauth/callback",
        ] {
            assert!(redirect_uri_ok(ok), "{ok}");
        }
        for bad in [
            "http://evil.example/callback",
            "http://127.0.0.1.evil.example/callback",
            "http://10.0.0.1/callback",
            "https://a.example/cb#frag",
            "http://localhost:3000/cb#frag",
            "com.example.app:/cb#frag",
            "javascript:alert(1)",
            "data:text/html,hi",
            "file:///etc/passwd",
            "vbscript:msgbox",
            "about:blank",
            "blob:https://a.example/1",
            "ws://127.0.0.1/cb",
            "wss://a.example/cb",
            "ms-msdt:/id PCWDiagnostic",
            "search-ms:query=x",
            "ms-officecmd:{}",
            "cursor://anysphere.cursor-mcp/oauth/callback#x",
            "cursor://anysphere.cursor-mcp/other",
            "cursor://evil.example/oauth/callback",
            "myapp:/cb",
            "ftp://a.example/cb",
            "not a url",
        ] {
            assert!(!redirect_uri_ok(bad), "{bad}");
        }
    }

    #[test]
    fn only_loopback_redirect_uris_match_on_any_port() {
        for (registered, requested) in [
            ("http://127.0.0.1:3000/cb", "http://127.0.0.1:53124/cb"),
            ("http://127.0.0.1/cb", "http://127.0.0.1:53124/cb"),
            ("http://localhost:3000/cb", "http://localhost:1/cb"),
            ("http://[::1]:3000/cb", "http://[::1]:4000/cb"),
            ("https://app.example/cb", "https://app.example/cb"),
            ("com.example.app:/cb", "com.example.app:/cb"),
        ] {
            assert!(
                redirect_uri_matches(registered, requested),
                "{registered} {requested}"
            );
        }
        for (registered, requested) in [
            ("http://127.0.0.1:3000/cb", "http://127.0.0.1:3000/other"),
            ("http://127.0.0.1:3000/cb", "http://localhost:3000/cb"),
            ("http://127.0.0.1:3000/cb", "http://127.0.0.1:3000/cb?x=1"),
            ("http://127.0.0.1:3000/cb", "https://127.0.0.1:3000/cb"),
            ("https://app.example/cb", "https://app.example:8443/cb"),
            ("https://app.example/cb", "https://app.example/cb/"),
            ("com.example.app:/cb", "com.example.app:/cb2"),
        ] {
            assert!(
                !redirect_uri_matches(registered, requested),
                "{registered} {requested}"
            );
        }
    }
}
