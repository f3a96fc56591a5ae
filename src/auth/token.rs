//! `/token` (OAuth 2.1 §3.2, §4.1.3, §4.3): an authorization code with its PKCE verifier, or a
//! refresh token, for an access token and a new refresh token. Clients are public: the
//! `client_id` sent must be the one the code or refresh token was issued to. Errors are
//! RFC 6749 §5.2 JSON; none repeats a code or a token.
//!
//! One use, on every replica ([`super::store`]): a code is redeemed once; a refresh token is
//! used once (OAuth 2.1 §4.3.1, reuse detection for public clients), and presenting a used one
//! revokes its family, every token rotated from the same sign-in, so the user signs in again.
//! - A revoked family's access tokens stop at their expiry (one hour at most), not at once:
//!   `/mcp` requests open the sealed token and never ask the store, so a store outage does not
//!   stop signed-in users, and the store holds no per-request state.
//! - A client that lost the answer to a refresh may retry within [`REFRESH_GRACE`] seconds:
//!   while the successor it never received is unused, the retry gets a new pair and that lost
//!   successor is retired (presenting it later revokes the family). A second retry, or one after
//!   the successor was used, counts as reuse.
//! - Refresh tokens sealed before families existed carry none: each is honored once and starts
//!   a family; used again, that family is revoked.
//! - When the store cannot be asked, code and refresh requests fail closed with 503
//!   `temporarily_unavailable`.
//! - A refresh first asks Intercom (`GET /me` in the sign-in's region) whether it still
//!   accepts the user's token; a 401 (the app uninstalled, its access revoked) fails it with
//!   `invalid_grant`, so the client signs in again rather than refreshing in a loop.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use super::OAuth;
use super::grants::{self, ACCESS_TTL, Access, Code, REFRESH_GRACE, REFRESH_TTL, Refresh};
use super::seal::Kind;
use super::store::{self, Unavailable};

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
    let answered = match param("grant_type") {
        Some("authorization_code") => {
            redeem(
                &oauth,
                client_id,
                param("code"),
                param("redirect_uri"),
                param("code_verifier"),
            )
            .await
        }
        Some("refresh_token") => refresh(&oauth, client_id, param("refresh_token")).await,
        _ => Err((
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        )),
    };
    match answered {
        Ok(minted) => minted.answer(),
        Err((error, description)) => {
            tracing::info!(error, "refused a token request");
            refuse(error, description)
        }
    }
}

type Refusal = (&'static str, &'static str);

/// The store could not be asked: fail closed, and say the client may try again.
fn unavailable(_: Unavailable) -> Refusal {
    (
        "temporarily_unavailable",
        "one-time use cannot be checked right now; try again shortly",
    )
}

async fn redeem(
    oauth: &OAuth,
    client_id: &str,
    code: Option<&str>,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Result<Minted, Refusal> {
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
    let used = store::key("code", &code.id);
    let until = grants::until(code.exp);
    if (oauth.store.once(&used, "1", until).await)
        .map_err(unavailable)?
        .is_some()
    {
        return invalid("the authorization code has already been used");
    }
    let family = oauth.sealer.random_id().map_err(sealing)?;
    mint(oauth, client_id, code.token, code.region, &family)
}

async fn refresh(
    oauth: &OAuth,
    client_id: &str,
    presented: Option<&str>,
) -> Result<Minted, Refusal> {
    let invalid = |why| Err(("invalid_grant", why));
    let Some((text, refresh)) = presented.and_then(|text| {
        let refresh = oauth.sealer.open::<Refresh>(Kind::Refresh, text)?;
        Some((text, refresh))
    }) else {
        return invalid("the refresh token is not valid");
    };
    if refresh.exp <= grants::now() {
        return invalid("the refresh token has expired: sign in again");
    }
    if refresh.client_id != client_id {
        return invalid("the refresh token was issued to another client");
    }
    let store = &oauth.store;
    let family = match refresh.family {
        Some(family) => family,
        // Sealed before families existed: it starts one now.
        None => oauth.sealer.random_id().map_err(sealing)?,
    };
    let family_key = store::key("family", &family);
    if store.is_revoked(&family_key).await.map_err(unavailable)? {
        return invalid(
            "this sign-in was revoked after a refresh token was used twice: sign in again",
        );
    }
    // A refresh would otherwise succeed for a token Intercom no longer takes, and the client
    // would go round refreshing: it is told to sign in again instead.
    if oauth.refuses(&refresh.token, &refresh.region).await {
        return invalid(
            "Intercom no longer accepts this sign-in (the app may have been uninstalled or its \
             access revoked): sign in again",
        );
    }
    // Sealed first, so that the used entry can name its successor (by digest).
    let minted = mint(oauth, client_id, refresh.token, refresh.region, &family)?;
    let now = grants::now();
    let entry = format!(
        "{now} {} {family_key}",
        store::key("refresh", &minted.refresh)
    );
    let used = store::key("refresh", text);
    let until = grants::until(refresh.exp);
    let Some(earlier) = store
        .once(&used, &entry, until)
        .await
        .map_err(unavailable)?
    else {
        return Ok(minted);
    };
    let lifetime = Duration::from_secs(REFRESH_TTL);
    if let Some(lost) = retried(&earlier, now) {
        // The lost successor is retired; if it was still unused, this is the client's retry.
        let retired = format!("0 - {family_key}");
        if store
            .once(lost, &retired, lifetime)
            .await
            .map_err(unavailable)?
            .is_none()
        {
            tracing::info!("a refresh was retried within the grace window");
            return Ok(minted);
        }
    }
    let revoked = earlier.split(' ').nth(2).unwrap_or(&family_key);
    store.revoke(revoked, lifetime).await.map_err(unavailable)?;
    tracing::warn!("a used refresh token was presented again: its family is revoked");
    invalid("the refresh token was already used: this sign-in is revoked, sign in again")
}

/// The successor's key when `earlier`, a used refresh token's entry (`time successor
/// family`), was written within the grace window before `now`.
fn retried(earlier: &str, now: u64) -> Option<&str> {
    let mut parts = earlier.split(' ');
    let at: u64 = parts.next()?.parse().ok()?;
    let successor = parts.next().filter(|successor| *successor != "-")?;
    (at > 0 && now.saturating_sub(at) <= REFRESH_GRACE).then_some(successor)
}

fn sealing(_: String) -> Refusal {
    ("server_error", "the token could not be sealed")
}

/// A fresh access token and a refresh token of `family`, sealed; [`Minted::answer`] sends them.
struct Minted {
    access: String,
    refresh: String,
}

fn mint(
    oauth: &OAuth,
    client_id: &str,
    token: String,
    region: String,
    family: &str,
) -> Result<Minted, Refusal> {
    let now = grants::now();
    let refresh = oauth
        .sealer
        .seal(
            Kind::Refresh,
            &Refresh {
                client_id: client_id.to_owned(),
                token: token.clone(),
                region: region.clone(),
                exp: now + REFRESH_TTL,
                family: Some(family.to_owned()),
            },
        )
        .map_err(sealing)?;
    let access = oauth
        .seal_access(&Access {
            token,
            region,
            exp: now + ACCESS_TTL,
            client_id: Some(client_id.to_owned()),
        })
        .map_err(sealing)?;
    Ok(Minted { access, refresh })
}

impl Minted {
    fn answer(self) -> Response {
        (
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({
                "access_token": self.access,
                "token_type": "Bearer",
                "expires_in": ACCESS_TTL,
                "refresh_token": self.refresh,
            })),
        )
            .into_response()
    }
}

fn refuse(error: &str, description: &str) -> Response {
    let status = match error {
        "invalid_client" => StatusCode::UNAUTHORIZED,
        "temporarily_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_is_within_the_grace_window_and_names_an_unretired_successor() {
        let entry = "1000 intercom-mcp:refresh:ab intercom-mcp:family:cd";
        assert_eq!(retried(entry, 1000), Some("intercom-mcp:refresh:ab"));
        assert_eq!(
            retried(entry, 1000 + REFRESH_GRACE),
            Some("intercom-mcp:refresh:ab")
        );
        assert_eq!(retried(entry, 1001 + REFRESH_GRACE), None);
        assert_eq!(retried("0 - intercom-mcp:family:cd", 5), None);
        assert_eq!(retried("", 5), None);
    }
}
