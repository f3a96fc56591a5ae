//! `/token` (OAuth 2.1 §3.2, §4.1.3, §4.3): an authorization code with its PKCE verifier, or a
//! refresh token, for an access token and a new refresh token. Clients are public: the
//! `client_id` sent must be the one the code or refresh token was issued to. Errors are
//! RFC 6749 §5.2 JSON; none repeats a code or a token.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use super::OAuth;
use super::grants::{self, ACCESS_TTL, Access, Code, REFRESH_TTL, Refresh};
use super::seal::Kind;

pub async fn token(
    State(oauth): State<Arc<OAuth>>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Ok(Form(params)) = form else {
        return refuse(
            "invalid_request",
            "send application/x-www-form-urlencoded parameters",
        );
    };
    let param = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    };
    if !oauth.resource_ok(params.get("resource")) {
        return refuse(
            "invalid_target",
            "resource must be this server's MCP endpoint",
        );
    }
    let Some(client_id) = param("client_id") else {
        return refuse("invalid_request", "client_id is missing");
    };
    let granted = match param("grant_type") {
        Some("authorization_code") => redeem(
            &oauth,
            client_id,
            param("code"),
            param("redirect_uri"),
            param("code_verifier"),
        ),
        Some("refresh_token") => refresh(&oauth, client_id, param("refresh_token")),
        _ => Err((
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        )),
    };
    match granted.and_then(|(token, region)| issue(&oauth, client_id, token, region)) {
        Ok(answer) => answer,
        Err((error, description)) => {
            tracing::info!(error, "refused a token request");
            refuse(error, description)
        }
    }
}

type Granted = Result<(String, String), (&'static str, &'static str)>;

fn redeem(
    oauth: &OAuth,
    client_id: &str,
    code: Option<&str>,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Granted {
    let invalid = |why| Err(("invalid_grant", why));
    let Some(code) = code.and_then(|code| oauth.sealer.open::<Code>(Kind::Code, code)) else {
        return invalid("the authorization code is not valid");
    };
    if code.exp <= grants::now() {
        return invalid("the authorization code has expired");
    }
    if code.client_id != client_id {
        return invalid("the authorization code was issued to another client");
    }
    if redirect_uri.is_some_and(|uri| uri != code.redirect_uri) {
        return invalid("redirect_uri differs from the authorization request's");
    }
    let Some(verifier) = verifier else {
        return Err(("invalid_request", "code_verifier is missing (PKCE)"));
    };
    // RFC 7636 §4.1: 43 to 128 unreserved characters.
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    if !well_formed || URL_SAFE_NO_PAD.encode(digest.as_ref()) != code.challenge {
        return invalid("code_verifier does not match the code_challenge");
    }
    if !oauth.redeemed.first_use(&code.id, code.exp) {
        return invalid("the authorization code has already been used");
    }
    Ok((code.token, code.region))
}

fn refresh(oauth: &OAuth, client_id: &str, refresh: Option<&str>) -> Granted {
    let Some(refresh) =
        refresh.and_then(|refresh| oauth.sealer.open::<Refresh>(Kind::Refresh, refresh))
    else {
        return Err(("invalid_grant", "the refresh token is not valid"));
    };
    if refresh.exp <= grants::now() {
        return Err((
            "invalid_grant",
            "the refresh token has expired: sign in again",
        ));
    }
    if refresh.client_id != client_id {
        return Err((
            "invalid_grant",
            "the refresh token was issued to another client",
        ));
    }
    Ok((refresh.token, refresh.region))
}

/// A fresh access token and refresh token. The refresh token rotates (OAuth 2.1 §4.3.1); as
/// nothing is stored, an earlier one stays valid until it expires.
fn issue(
    oauth: &OAuth,
    client_id: &str,
    token: String,
    region: String,
) -> Result<Response, (&'static str, &'static str)> {
    let now = grants::now();
    let sealing = |_| ("server_error", "the token could not be sealed");
    let refresh = oauth
        .sealer
        .seal(
            Kind::Refresh,
            &Refresh {
                client_id: client_id.to_owned(),
                token: token.clone(),
                region: region.clone(),
                exp: now + REFRESH_TTL,
            },
        )
        .map_err(sealing)?;
    let access = oauth
        .seal_access(&Access {
            token,
            region,
            exp: now + ACCESS_TTL,
        })
        .map_err(sealing)?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ACCESS_TTL,
            "refresh_token": refresh,
        })),
    )
        .into_response())
}

fn refuse(error: &str, description: &str) -> Response {
    let status = if error == "invalid_client" {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}
