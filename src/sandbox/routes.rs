//! The HTTP face of the sandbox: one route per operation the server uses, request parts read into
//! plain values, and every answer (errors included) in Intercom's JSON shape.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::TOKEN;
use super::reads::ListParams;
use super::store::{Answer, Failure, Store};

pub type Shared = Arc<Mutex<Store>>;

pub fn router(store: Shared) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/admins", get(list_admins))
        .route("/teams", get(list_teams))
        .route("/contacts", get(list_contacts).post(create_contact))
        .route("/contacts/search", post(search_contacts))
        .route("/contacts/{id}", get(get_contact).put(update_contact))
        .route("/contacts/{id}/notes", post(add_note))
        .route("/contacts/{id}/tags", post(tag_contact))
        .route("/conversations", get(list_conversations))
        .route("/conversations/search", post(search_conversations))
        .route("/conversations/{id}", get(get_conversation))
        .route("/conversations/{id}/reply", post(reply))
        .route("/conversations/{id}/parts", post(manage))
        .route("/companies/list", post(list_companies))
        .route("/companies/{id}", get(get_company))
        .route("/tags", get(list_tags))
        .fallback(no_route)
        .method_not_allowed_fallback(no_route)
        .layer(middleware::from_fn(authorize))
        .layer(middleware::map_response(with_request_id))
        .with_state(store)
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let id = request_id();
        let body = json!({
            "type": "error.list",
            "request_id": id,
            "errors": [{"code": self.code, "message": self.message}],
        });
        // The same id in the header as in the body, as Intercom's answers have it.
        let header = [(REQUEST_ID, id)];
        (status, header, axum::Json(body)).into_response()
    }
}

/// The header every answer names its request in, as Intercom's do (the audit trail keeps it).
const REQUEST_ID: &str = "x-request-id";

/// Names an answer's request, unless it already does (an error names the id of its body).
async fn with_request_id(mut response: Response) -> Response {
    if !response.headers().contains_key(REQUEST_ID)
        && let Ok(id) = header::HeaderValue::from_str(&request_id())
    {
        response.headers_mut().insert(REQUEST_ID, id);
    }
    response
}

/// Shaped like Intercom's request ids (a UUID); nothing looks them up.
fn request_id() -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        fastrand::u32(..),
        fastrand::u16(..),
        fastrand::u16(..0x1000),
        fastrand::u16(0x8000..0xc000),
        fastrand::u64(..1 << 48)
    )
}

fn reply_with(answer: Answer) -> Response {
    match answer {
        Ok(body) => axum::Json(body).into_response(),
        Err(failure) => failure.into_response(),
    }
}

/// Every request needs `Authorization: Bearer sandbox`, as every Intercom request needs a
/// valid token.
async fn authorize(request: Request, next: Next) -> Response {
    let authorized = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().split_once(' '))
        .is_some_and(|(scheme, token)| {
            scheme.eq_ignore_ascii_case("bearer") && token.trim() == TOKEN
        });
    if authorized {
        next.run(request).await
    } else {
        Failure::new(
            401,
            "unauthorized",
            format!(
                "The access token is not valid here: the sandbox accepts only the bearer token `{TOKEN}`"
            ),
        )
        .into_response()
    }
}

async fn no_route() -> Response {
    Failure::new(404, "not_found", "The sandbox has no such endpoint").into_response()
}

/// The store; a panic elsewhere cannot leave it half-written (no operation panics while
/// holding it), so a poisoned lock is still usable.
fn lock(store: &Shared) -> MutexGuard<'_, Store> {
    store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn id(path: Result<Path<String>, PathRejection>) -> Result<String, Failure> {
    path.map(|Path(id)| id)
        .map_err(|rejection| Failure::invalid(format!("The path is not valid: {rejection}")))
}

fn params(
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<ListParams, Failure> {
    let Query(mut map) = query.map_err(|rejection| {
        Failure::invalid(format!("The query string is not valid: {rejection}"))
    })?;
    Ok(ListParams {
        per_page: map.remove("per_page"),
        starting_after: map.remove("starting_after"),
        page: map.remove("page"),
        order: map.remove("order"),
    })
}

fn body(bytes: &Bytes) -> Result<Value, Failure> {
    serde_json::from_slice(bytes)
        .map_err(|err| Failure::invalid(format!("The request body is not JSON: {err}")))
}

async fn me(State(store): State<Shared>) -> Response {
    reply_with(lock(&store).me())
}

// The handlers below share one shape on purpose: each names its route's own extractors and
// its store operation, so a route reads whole in a line or two.
async fn list_contacts(
    State(store): State<Shared>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    reply_with(params(query).and_then(|params| lock(&store).list_contacts(&params)))
}

async fn search_contacts(State(store): State<Shared>, bytes: Bytes) -> Response {
    reply_with(body(&bytes).and_then(|body| lock(&store).search_contacts(&body)))
}

async fn get_contact(
    State(store): State<Shared>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    reply_with(id(path).and_then(|id| lock(&store).get_contact(&id)))
}

async fn create_contact(State(store): State<Shared>, bytes: Bytes) -> Response {
    reply_with(body(&bytes).and_then(|body| lock(&store).create_contact(&body)))
}

async fn update_contact(
    State(store): State<Shared>,
    path: Result<Path<String>, PathRejection>,
    bytes: Bytes,
) -> Response {
    let answer = id(path).and_then(|id| Ok((id, body(&bytes)?)));
    reply_with(answer.and_then(|(id, body)| lock(&store).update_contact(&id, &body)))
}

async fn add_note(
    State(store): State<Shared>,
    path: Result<Path<String>, PathRejection>,
    bytes: Bytes,
) -> Response {
    let answer = id(path).and_then(|id| Ok((id, body(&bytes)?)));
    reply_with(answer.and_then(|(id, body)| lock(&store).add_note(&id, &body)))
}

async fn tag_contact(
    State(store): State<Shared>,
    path: Result<Path<String>, PathRejection>,
    bytes: Bytes,
) -> Response {
    let answer = id(path).and_then(|id| Ok((id, body(&bytes)?)));
    reply_with(answer.and_then(|(id, body)| lock(&store).tag_contact(&id, &body)))
}

async fn list_conversations(
    State(store): State<Shared>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    reply_with(params(query).and_then(|params| lock(&store).list_conversations(&params)))
}

async fn search_conversations(State(store): State<Shared>, bytes: Bytes) -> Response {
    reply_with(body(&bytes).and_then(|body| lock(&store).search_conversations(&body)))
}

async fn get_conversation(
    State(store): State<Shared>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let plaintext = match query {
        Ok(Query(map)) => match map.get("display_as").map(String::as_str) {
            None | Some("") => Ok(false),
            Some("plaintext") => Ok(true),
            Some(other) => Err(Failure::invalid(format!(
                "display_as must be plaintext, got {other:?}"
            ))),
        },
        Err(rejection) => Err(Failure::invalid(format!(
            "The query string is not valid: {rejection}"
        ))),
    };
    let answer = id(path).and_then(|id| Ok((id, plaintext?)));
    reply_with(answer.and_then(|(id, plaintext)| lock(&store).get_conversation(&id, plaintext)))
}

async fn reply(
    State(store): State<Shared>,
    path: Result<Path<String>, PathRejection>,
    bytes: Bytes,
) -> Response {
    let answer = id(path).and_then(|id| Ok((id, body(&bytes)?)));
    reply_with(answer.and_then(|(id, body)| lock(&store).reply(&id, &body)))
}

async fn manage(
    State(store): State<Shared>,
    path: Result<Path<String>, PathRejection>,
    bytes: Bytes,
) -> Response {
    let answer = id(path).and_then(|id| Ok((id, body(&bytes)?)));
    reply_with(answer.and_then(|(id, body)| lock(&store).manage(&id, &body)))
}

async fn list_companies(
    State(store): State<Shared>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    reply_with(params(query).and_then(|params| lock(&store).list_companies(&params)))
}

async fn get_company(
    State(store): State<Shared>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    reply_with(id(path).and_then(|id| lock(&store).get_company(&id)))
}

async fn list_admins(State(store): State<Shared>) -> Response {
    reply_with(lock(&store).list_admins())
}

async fn list_teams(State(store): State<Shared>) -> Response {
    reply_with(lock(&store).list_teams())
}

async fn list_tags(State(store): State<Shared>) -> Response {
    reply_with(lock(&store).list_tags())
}
