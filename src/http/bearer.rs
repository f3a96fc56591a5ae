//! The credentials check in front of `/mcp`: a request's `Authorization: Bearer` is taken as
//! [`Auth`] says (the client's own Intercom token, the client secret, or an access token of
//! ours), and the token the handler acts with is attached to the request; with `--oauth`, a
//! token Intercom refused is answered as one no longer good.

use axum::Extension;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Auth;
use crate::auth::{self, OAuth};
use crate::config::Secret;
use crate::credentials::RequestToken;
use crate::metrics::Refusal;

/// Lets a request through only with credentials, and tells the handler which token it acts
/// with. Nothing of a token reaches a log or a response.
pub(super) async fn require_credentials(
    State(auth): State<Auth>,
    mut request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(Secret::from_bearer);
    let was_presented = presented.is_some();
    let token = match (&auth, presented) {
        (Auth::ClientTokens, Some(token)) => Some(RequestToken::new(token, None)),
        (Auth::Secret { secret, token }, Some(presented)) if same(&presented, secret) => {
            Some(RequestToken::new(token.clone(), None))
        }
        (Auth::OAuth(oauth), Some(presented)) => {
            oauth.verify(&presented).map(|(token, base_url, client)| {
                RequestToken::new(token, Some(base_url)).issued_to(client)
            })
        }
        _ => None,
    };
    let Some(token) = token else {
        tracing::info!(
            path = request.uri().path(),
            "refused a request without valid credentials"
        );
        let (message, challenge) = match &auth {
            Auth::ClientTokens => (
                "send Authorization: Bearer <your Intercom access token>",
                "Bearer".to_owned(),
            ),
            Auth::Secret { .. } => (
                "send Authorization: Bearer <the client secret this server was given>",
                "Bearer".to_owned(),
            ),
            Auth::OAuth(oauth) => (
                "sign in: this server's OAuth metadata is at the resource_metadata URL in WWW-Authenticate",
                auth::challenge(oauth, was_presented),
            ),
        };
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, challenge)],
            Extension(Refusal::Authentication),
            message,
        )
            .into_response();
    };
    request.extensions_mut().insert(token.clone());
    let response = next.run(request).await;
    match &auth {
        Auth::OAuth(oauth) if token.refused_by_intercom() => intercom_refused(oauth),
        _ => response,
    }
}

/// With `--oauth`, the answer to a request whose Intercom token Intercom refused (401: the app
/// was uninstalled, or its access revoked): 401 with `error="invalid_token"`, as for any token
/// no longer good (RFC 6750 §3.1), so the client refreshes, and the refresh, which asks
/// Intercom first, fails and sends the user to sign in again. Intercom did nothing with a
/// request it refused, so the tool's answer can be dropped.
fn intercom_refused(oauth: &OAuth) -> Response {
    tracing::info!("Intercom refused a signed-in user's token: answered 401 invalid_token");
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, auth::challenge(oauth, true))],
        "Intercom no longer accepts this sign-in (the app may have been uninstalled or its \
         access revoked): refresh the token, or sign in again",
    )
        .into_response()
}

/// Compares in time that does not depend on where the two differ.
fn same(a: &Secret, b: &Secret) -> bool {
    let (a, b) = (a.expose().as_bytes(), b.expose().as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        let s = |text: &str| Secret::parse(text).unwrap();
        assert!(same(&s("abc"), &s("abc")));
        assert!(!same(&s("abc"), &s("abd")) && !same(&s("abc"), &s("abcd")));
    }
}
