//! JSON-RPC errors for POST bodies rmcp would refuse with a bare HTTP status or misread: the
//! same screening stdio applies (`transport::screen`), answered over HTTP. A body that is not
//! JSON gets HTTP 400 with a -32700 error; a batch (an array) or a malformed request, 400 with
//! -32600 saying what is wrong; a request rmcp would answer "method not found" although its
//! method is ours (e.g. `tools/call` with arguments that are not an object), -32602 with the
//! request's id. A JSON-RPC response (this stateless server sends no requests to answer) gets
//! 400 with -32600 and `id: null`, which rmcp's own answer lacks. Anything else goes on to rmcp
//! untouched.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use rmcp::model::JsonRpcMessage;

use crate::transport::{Screened, screen};

/// The largest body read, as rmcp would: a larger one is refused with 413.
#[derive(Clone, Copy)]
pub struct MaxBody(pub usize);

pub async fn screen_body(
    State(MaxBody(max)): State<MaxBody>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, max).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the message is larger than this server accepts ({max} bytes, INTERCOM_MAX_REQUEST_BYTES)"),
        )
            .into_response();
    };
    // Over stdio a blank line is skipped; over HTTP an empty body is a message that is not JSON.
    let screened = if bytes.iter().all(u8::is_ascii_whitespace) {
        Screened::Reply(crate::transport::error_reply(
            &serde_json::Value::Null,
            -32700,
            "parse error: the body is empty",
        ))
    } else {
        screen(&bytes)
    };
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
            );
            (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "application/json")],
                reply,
            )
                .into_response()
        }
        Screened::Forward(_) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
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
