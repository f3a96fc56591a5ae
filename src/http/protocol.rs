//! JSON-RPC errors for POST bodies rmcp would refuse with a bare HTTP status or misread: the
//! same screening stdio applies (`transport::screen`), answered over HTTP. A body that is not
//! JSON gets HTTP 400 with a -32700 error; a batch (an array) or a malformed request, 400 with
//! -32600 saying what is wrong; a request rmcp would answer "method not found" although its
//! method is ours (e.g. `tools/call` with arguments that are not an object), -32602 with the
//! request's id. A JSON-RPC response (this stateless server sends no requests to answer) gets
//! 400 with -32600 and `id: null`, which rmcp's own answer lacks. Anything else goes on to rmcp
//! untouched. A body is refused with 413 when its declared length is over the limit, before it
//! is read; one that turns out longer, also 413; broken framing, 400; one that takes over
//! [`BODY_TIMEOUT`] to arrive, 408. An error whose request id cannot be read follows the
//! revision the request's `MCP-Protocol-Version` header names: `"id": null` without one or
//! with a 2025 revision, no `id` member with 2026-07-28 (its schema has no null id).
//!
//! A request for a method the 2026-07-28 revision removed
//! ([`crate::transport::REMOVED_AT_2026_07_28`], which cites the revision), sent at
//! that revision (its `MCP-Protocol-Version` header), gets HTTP 404 with -32601 here: rmcp maps
//! -32601 to 404 only for the requests it serves on its per-request path, and it serves
//! `initialize` as the 2025 handshake whatever the header says. An error rmcp answers to a
//! request is made readable and logged once ([`crate::transport::answered`]).

use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use rmcp::model::{ErrorCode, ErrorData, JsonRpcMessage};
use serde::Deserialize;
use serde_json::Value;

use crate::transport::{
    REMOVED_AT_2026_07_28, Screened, UnreadId, answered, removed_at_2026_07_28, screen,
};

/// The largest answer read back to find an error in it: rmcp's errors are far smaller, and a
/// larger answer (a tool list, a result) is passed on unread.
const ERROR_SIZE: u64 = 4096;
/// How a JSON-RPC error's member begins, as rmcp writes it (no whitespace).
const ERROR_MEMBER: &[u8] = br#""error":{"#;

/// How long a request body may take to arrive, once its head has, by default.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);

fn is_over_the_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// The largest body read, as rmcp would (a larger one is refused with 413), and how long it may
/// take to arrive.
#[derive(Clone, Copy)]
pub struct BodyLimits {
    pub max: usize,
    pub timeout: Duration,
}

/// The body of a POST, read within `limits`: `Err` is the answer when it is declared or turns
/// out too large (413), is malformed (400), or does not arrive in time (408).
async fn read_body(
    request: Request,
    BodyLimits { max, timeout }: BodyLimits,
) -> Result<(axum::http::request::Parts, axum::body::Bytes), Response> {
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the message is larger than this server accepts ({max} bytes, INTERCOM_MAX_REQUEST_BYTES)"),
        )
            .into_response()
    };
    // Refused from the declared length alone: waiting for a body that will be refused anyway
    // would hold the connection for as long as the client likes.
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > u64::try_from(max).unwrap_or(u64::MAX)) {
        return Err(too_large());
    }
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(timeout, to_bytes(body, max)).await {
        Ok(Ok(bytes)) => Ok((parts, bytes)),
        // Only a body over the limit is too large; broken framing (a bad chunk-size line, a
        // body cut short) is a bad request.
        Ok(Err(err)) if is_over_the_limit(&err) => Err(too_large()),
        Ok(Err(_)) => {
            Err((StatusCode::BAD_REQUEST, "the request body is malformed").into_response())
        }
        Err(_) => Err((
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within {} s",
                timeout.as_secs()
            ),
        )
            .into_response()),
    }
}

/// Every POST body outside `/mcp` (the OAuth endpoints) read within its limits before the
/// handler sees it, so a slow body cannot hold a connection, and its permit, for long.
pub async fn bounded_body(
    State(limits): State<BodyLimits>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    match read_body(request, limits).await {
        Ok((parts, bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(answer) => answer,
    }
}

pub async fn screen_body(
    State(limits): State<BodyLimits>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let unread = request
        .headers()
        .get("mcp-protocol-version")
        .and_then(|value| value.to_str().ok())
        .map_or(UnreadId::Null, UnreadId::of_version);
    let (parts, bytes) = match read_body(request, limits).await {
        Ok(read) => read,
        Err(answer) => return answer,
    };
    // Over stdio a blank line is skipped; over HTTP an empty body is a message that is not JSON.
    let screened = if bytes.iter().all(u8::is_ascii_whitespace) {
        Screened::Reply(crate::transport::error_reply(
            &serde_json::Value::Null,
            -32700,
            "parse error: the body is empty",
            unread,
        ))
    } else {
        screen(&bytes, unread)
    };
    // Over HTTP a 2026-07-28 request states its revision in this header on every POST.
    if unread == UnreadId::Omitted
        && let Some(answer) = removed_method(&screened, &bytes)
    {
        return answer;
    }
    match screened {
        Screened::Forward(message)
            if matches!(
                *message,
                JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_)
            ) =>
        {
            let reply = crate::transport::error_reply(
                &serde_json::Value::Null,
                -32600,
                "stateless server does not accept JSON-RPC responses",
                unread,
            );
            (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "application/json")],
                reply,
            )
                .into_response()
        }
        Screened::Forward(message) => {
            let method = match *message {
                JsonRpcMessage::Request(request) => Some(request.request.method().to_owned()),
                _ => None,
            };
            let response = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            match method {
                Some(method) => error_answered(&method, response).await,
                None => response,
            }
        }
        // A notification or response rmcp would drop: accepted, as the transport has it.
        Screened::Skip => StatusCode::ACCEPTED.into_response(),
        Screened::Reply(reply) => {
            // An error with the request's id answers a request; one with a null id answers
            // something that was not a request at all.
            let answered_a_request = serde_json::from_slice::<serde_json::Value>(&reply)
                .is_ok_and(|reply| reply.get("id").is_some_and(|id| !id.is_null()));
            let status = if answered_a_request {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            };
            (status, [(header::CONTENT_TYPE, "application/json")], reply).into_response()
        }
    }
}

/// A request's method and id, read from a body the screen refused (an `initialize` without the
/// handshake's params is refused as malformed before its method is looked at).
#[derive(Deserialize)]
struct Head {
    method: Option<String>,
    id: Option<Value>,
}

/// HTTP 404 with -32601 when the request (not a notification) is for a removed method: read
/// off the parsed message, or, only when the screen refused the body, from its method and id.
fn removed_method(screened: &Screened, body: &[u8]) -> Option<Response> {
    let (method, id) = match screened {
        Screened::Forward(message) => match &**message {
            // Looked up first: nothing is copied for the requests that are not removed.
            JsonRpcMessage::Request(request)
                if REMOVED_AT_2026_07_28.contains(&request.request.method()) =>
            {
                (
                    request.request.method().to_owned(),
                    serde_json::to_value(&request.id).ok()?,
                )
            }
            _ => return None,
        },
        Screened::Reply(_) => {
            let Head { method, id } = serde_json::from_slice(body).ok()?;
            (method?, id?)
        }
        Screened::Skip => return None,
    };
    // Anything else is not a request id; the screen says so.
    if !(id.is_string() || id.is_i64() || id.is_u64()) {
        return None;
    }
    let message = removed_at_2026_07_28(&method)?;
    let mut error = ErrorData::new(ErrorCode::METHOD_NOT_FOUND, message, None);
    answered(Some(&method), &mut error);
    let reply = serde_json::json!({"jsonrpc": "2.0", "id": id, "error": error});
    Some(
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            reply.to_string(),
        )
            .into_response(),
    )
}

/// rmcp's answer to a request for `method`, with a JSON-RPC error in it made readable and logged
/// ([`answered`]). Only a small JSON answer is read; anything else passes untouched.
async fn error_answered(method: &str, response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    let small = axum::body::HttpBody::size_hint(response.body())
        .exact()
        .is_some_and(|size| size <= ERROR_SIZE);
    if !is_json || !small {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::try_from(ERROR_SIZE).unwrap_or(usize::MAX)).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the answer could not be read",
        )
            .into_response();
    };
    // Only an answer with an `"error":{` in it is parsed: a small result passes on unparsed.
    let may_be_error = bytes
        .windows(ERROR_MEMBER.len())
        .any(|window| window == ERROR_MEMBER);
    let rewritten = may_be_error
        .then(|| serde_json::from_slice::<Value>(&bytes).ok())
        .flatten()
        .and_then(|mut reply| {
            let error = reply.get_mut("error")?;
            let mut data = serde_json::from_value::<ErrorData>(error.take()).ok()?;
            answered(Some(method), &mut data);
            *error = serde_json::to_value(data).ok()?;
            Some(reply.to_string())
        });
    match rewritten {
        Some(reply) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(reply))
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}
