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
                "{bad:?} is not a usable redirect URI: https, http on a loopback host, or an app's own scheme; no fragment"
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

/// OAuth 2.1 §2.3.1 / RFC 8252 §7: https; http only to a loopback host; a private-use scheme
/// for native apps. Never a fragment, never a scheme a browser would run.
pub(super) fn redirect_uri_ok(uri: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(uri) else {
        return false;
    };
    if url.fragment().is_some() {
        return false;
    }
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")),
        "javascript" | "data" | "file" | "vbscript" | "about" | "blob" | "ws" | "wss" => false,
        _ => true,
    }
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
            "http://127.0.0.1:33418/callback",
            "http://localhost:6274/oauth/callback",
            "cursor://anysphere.cursor-mcp/oauth/callback",
        ] {
            assert!(redirect_uri_ok(ok), "{ok}");
        }
        for bad in [
            "http://evil.example/callback",
            "https://a.example/cb#frag",
            "javascript:alert(1)",
            "data:text/html,hi",
            "not a url",
        ] {
            assert!(!redirect_uri_ok(bad), "{bad}");
        }
    }
}
