//! A response of the generated client → the JSON body, or the [`ToolError`] the model reads.
//! Below both the tools and the workspace's default admin (which asks `GET /me` through the
//! same path), so every dependency points down.

use std::time::SystemTime;

use serde_json::Value;

use crate::error::{ToolError, api_error};
use crate::intercom::Sent;
use crate::policy;

/// What Intercom answered: the JSON body, or the error the model reads.
pub type Answer = Result<Value, ToolError>;

/// An answer with what the audit trail keeps of the exchange.
pub struct Answered {
    pub answer: Answer,
    /// The HTTP status, when one came back.
    pub status: Option<u16>,
    /// Intercom's `X-Request-Id` header, when there was one.
    pub request_id: Option<String>,
}

impl Answered {
    /// An answer that never reached Intercom (or came back without a status).
    pub fn unsent(answer: Answer) -> Self {
        Self {
            answer,
            status: None,
            request_id: None,
        }
    }
}

/// The header Intercom names each request's id in (an error body also carries it).
const REQUEST_ID: &str = "x-request-id";

/// A generated client's answer → the JSON body, or the error the model reads.
pub async fn respond(sent: Sent) -> Answer {
    respond_fully(sent).await.answer
}

/// As [`respond`], keeping the status and Intercom's request id for the audit trail.
pub async fn respond_fully(sent: Sent) -> Answered {
    let (status, request_id) = match &sent {
        Ok(response) => (Some(response.status()), request_id(response.headers())),
        Err(progenitor_client::Error::UnexpectedResponse(response)) => {
            (Some(response.status()), request_id(response.headers()))
        }
        Err(progenitor_client::Error::ErrorResponse(response)) => {
            (Some(response.status()), request_id(response.headers()))
        }
        Err(_) => (None, None),
    };
    Answered {
        answer: answer(sent).await,
        status: status.map(|status| status.as_u16()),
        request_id,
    }
}

fn request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let value = headers.get(REQUEST_ID)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

async fn answer(sent: Sent) -> Answer {
    use progenitor_client::Error;
    match sent {
        Ok(response) => Ok(response.into_inner()),
        Err(Error::UnexpectedResponse(response)) if response.status().is_redirection() => {
            Err(crate::error::redirect(&response))
        }
        Err(Error::UnexpectedResponse(response)) => {
            let status = response.status();
            let retry_after = policy::retry_wait(response.headers(), SystemTime::now());
            let body = response.bytes().await.map_err(|err| read_failure(&err))?;
            if status.is_success() {
                return parse_success(&body);
            }
            let mut error = api_error(status, &body);
            error.retry_after =
                retry_after.filter(|_| status == reqwest::StatusCode::TOO_MANY_REQUESTS);
            Err(ToolError::Api(error))
        }
        // Only 2xx bodies are decoded by the generated code: an empty one means "no content".
        Err(Error::InvalidResponsePayload(body, _)) if body.iter().all(u8::is_ascii_whitespace) => {
            Ok(Value::Null)
        }
        Err(Error::InvalidResponsePayload(body, err)) => Err(ToolError::Body(format!(
            "Intercom answered with success, but the body is not JSON ({err}); {} bytes.",
            body.len()
        ))),
        Err(Error::Custom(message)) => Err(ToolError::Request(message)),
        Err(Error::InvalidRequest(message)) => Err(ToolError::Arguments(message)),
        Err(Error::ResponseBodyError(err)) => Err(read_failure(&err)),
        Err(Error::CommunicationError(err) | Error::InvalidUpgrade(err)) => {
            Err(ToolError::Transport(communication_problem(err)))
        }
        Err(Error::ErrorResponse(response)) => {
            Err(ToolError::Api(api_error(response.status(), b"")))
        }
    }
}

/// A 2xx body: JSON, or nothing at all ("no content"); anything else is an error.
fn parse_success(body: &[u8]) -> Answer {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body).map_err(|err| {
        ToolError::Body(format!(
            "Intercom answered with success, but the body is not JSON ({err}); {} bytes.",
            body.len()
        ))
    })
}

/// Reading the answer's body failed: it was too large, or the connection broke mid-body.
fn read_failure(err: &reqwest::Error) -> ToolError {
    if policy::is_body_too_large(err) {
        ToolError::Body(
            "Intercom's answer is larger than this server reads (INTERCOM_MAX_BODY_BYTES); ask for \
             less, e.g. a smaller per_page."
                .to_owned(),
        )
    } else {
        ToolError::Transport(format!(
            "The connection broke while Intercom's answer was being read ({err})."
        ))
    }
}

fn communication_problem(err: reqwest::Error) -> String {
    let what = if err.is_timeout() {
        "Intercom did not answer in time (INTERCOM_API_TIMEOUT)"
    } else if err.is_connect() {
        "Could not connect to Intercom"
    } else {
        "The request to Intercom failed"
    };
    // The URL is left out: the caller knows the path, and it is long.
    let err = err.without_url();
    let mut detail = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        detail = format!("{detail}: {cause}");
        source = cause.source();
    }
    format!("{what}: {detail}.")
}
