//! The authorization endpoint and Intercom's callback (OAuth 2.1 §4.1.1–§4.1.2). `/authorize`
//! checks the client and its exact redirect URI first — until both are known good, errors are
//! shown, never redirected (§4.1.2.1) — then PKCE (RFC 7636; S256 only, as MCP requires, so a
//! missing method, which means `plain`, is refused), and sends the user to Intercom's consent
//! page with the request sealed as Intercom's `state`. The callback opens it again, trades
//! Intercom's code for the user's token, finds its region, and redirects to the client with a
//! code of ours and the client's `state`; each flow state is answered once ([`super::store`]).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::documents::is_document_url;
use super::grants::{self, CODE_TTL, Client, Code, FLOW_TTL, Flow};
use super::seal::Kind;
use super::store;
use super::{CALLBACK_PATH, OAuth};

type Params = Query<HashMap<String, String>>;

pub async fn authorize(State(oauth): State<Arc<OAuth>>, Query(params): Params) -> Response {
    let param = |name: &str| params.get(name).filter(|value| !value.is_empty());
    let Some(client_id) = param("client_id") else {
        return shown("client_id is missing");
    };
    let client = match oauth.sealer.open::<Client>(Kind::Client, client_id) {
        Some(client) => client,
        None if is_document_url(client_id) => match oauth.client_from_document(client_id).await {
            Ok(client) => client,
            Err(why) => return shown(&why),
        },
        None => return shown("unknown client_id: register at /register first"),
    };
    let redirect_uri = match (param("redirect_uri"), client.redirect_uris.as_slice()) {
        (Some(uri), registered) if super::register::is_registered(registered, uri) => uri.clone(),
        (Some(_), _) => {
            return shown("redirect_uri is not one this client registered (compared exactly)");
        }
        (None, [only]) => only.clone(),
        (None, _) => return shown("redirect_uri is missing and the client registered several"),
    };
    let state = param("state").cloned();
    let back = |error: &str, description: &str| {
        redirect_back(
            &oauth,
            &redirect_uri,
            &[("error", error), ("error_description", description)],
            state.as_deref(),
        )
    };
    if param("response_type").map(String::as_str) != Some("code") {
        return back("unsupported_response_type", "response_type must be code");
    }
    let Some(challenge) = param("code_challenge") else {
        return back(
            "invalid_request",
            "PKCE is required: send code_challenge and code_challenge_method=S256",
        );
    };
    if param("code_challenge_method").map(String::as_str) != Some("S256") {
        return back(
            "invalid_request",
            "code_challenge_method must be S256 (plain is not accepted)",
        );
    }
    // RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is 43 characters.
    if challenge.len() != 43
        || !challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return back(
            "invalid_request",
            "code_challenge must be BASE64URL(SHA-256(code_verifier)), 43 characters",
        );
    }
    if !oauth.resource_ok(param("resource")) {
        return back(
            "invalid_target",
            "resource must be this server's MCP endpoint",
        );
    }
    let flow = Flow {
        client_id: client_id.clone(),
        redirect_uri: redirect_uri.clone(),
        challenge: challenge.clone(),
        state: state.clone(),
        exp: grants::now() + FLOW_TTL,
    };
    let Ok(sealed) = oauth.sealer.seal(Kind::Flow, &flow) else {
        return back("server_error", "the request could not be sealed");
    };
    let Ok(mut intercom) = reqwest::Url::parse(&oauth.authorize_url) else {
        return back("server_error", "INTERCOM_OAUTH_AUTHORIZE_URL is not a URL");
    };
    intercom
        .query_pairs_mut()
        .append_pair("client_id", &oauth.client_id)
        .append_pair("redirect_uri", &oauth.endpoint(CALLBACK_PATH))
        .append_pair("state", &sealed);
    found(intercom.as_str())
}

/// Intercom's answer as a query (a redirect). Its guide also speaks of a POST to the redirect
/// URL, so a form body is taken too ([`callback_form`]).
pub async fn callback(State(oauth): State<Arc<OAuth>>, Query(params): Params) -> Response {
    answered(&oauth, &params).await
}

pub async fn callback_form(
    State(oauth): State<Arc<OAuth>>,
    Form(params): Form<HashMap<String, String>>,
) -> Response {
    answered(&oauth, &params).await
}

async fn answered(oauth: &OAuth, params: &HashMap<String, String>) -> Response {
    let Some((sealed, flow)) = params.get("state").and_then(|state| {
        let flow = oauth.sealer.open::<Flow>(Kind::Flow, state)?;
        Some((state, flow))
    }) else {
        return shown(
            "this sign-in is not one this server started: start again from your MCP client",
        );
    };
    let state = flow.state.as_deref();
    let back = |pairs: &[(&str, &str)]| redirect_back(oauth, &flow.redirect_uri, pairs, state);
    if flow.exp <= grants::now() {
        return back(&[
            ("error", "access_denied"),
            (
                "error_description",
                "the sign-in took too long; start again",
            ),
        ]);
    }
    // A flow state is answered once, on any replica: a replayed callback (a reload, or an
    // answer seen by someone else) gets no second code.
    let used = store::key("flow", sealed);
    match oauth.store.once(&used, "1", grants::until(flow.exp)).await {
        Ok(None) => {}
        Ok(Some(_)) => {
            return shown("this sign-in was already completed: start again from your MCP client");
        }
        Err(_) => {
            return back(&[
                ("error", "temporarily_unavailable"),
                (
                    "error_description",
                    "the sign-in cannot be completed right now; try again shortly",
                ),
            ]);
        }
    }
    let Some(code) = params.get("code").filter(|code| !code.is_empty()) else {
        return back(&[
            ("error", "access_denied"),
            ("error_description", "Intercom did not grant access"),
        ]);
    };
    let granted = match oauth.exchange(code).await {
        Ok(token) => oauth.region_of(&token).await.map(|region| (token, region)),
        Err(failure) => Err(failure),
    };
    let (token, region) = match granted {
        Ok(granted) => granted,
        Err(failure) => {
            tracing::warn!(failure, "an Intercom sign-in failed");
            return back(&[("error", "server_error"), ("error_description", failure)]);
        }
    };
    let code = oauth.sealer.random_id().and_then(|id| {
        oauth.sealer.seal(
            Kind::Code,
            &Code {
                id,
                client_id: flow.client_id.clone(),
                redirect_uri: flow.redirect_uri.clone(),
                challenge: flow.challenge.clone(),
                token: token.expose().to_owned(),
                region: region.name().to_owned(),
                exp: grants::now() + CODE_TTL,
            },
        )
    });
    match code {
        Ok(code) => {
            tracing::info!(region = region.name(), "an Intercom sign-in succeeded");
            back(&[("code", &code)])
        }
        Err(_) => back(&[
            ("error", "server_error"),
            ("error_description", "the code could not be sealed"),
        ]),
    }
}

/// Back to the client's (already checked) redirect URI with `pairs`, its `state`, and `iss`
/// (RFC 9207, against mix-up attacks).
fn redirect_back(
    oauth: &OAuth,
    redirect_uri: &str,
    pairs: &[(&str, &str)],
    state: Option<&str>,
) -> Response {
    let Ok(mut url) = reqwest::Url::parse(redirect_uri) else {
        return shown("the redirect URI cannot be parsed");
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            query.append_pair(name, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        query.append_pair("iss", &oauth.public_url);
    }
    found(url.as_str())
}

fn found(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location.to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

/// An error shown to the user, not sent to a redirect URI that is not known good.
fn shown(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        format!("Sign-in refused: {message}."),
    )
        .into_response()
}
