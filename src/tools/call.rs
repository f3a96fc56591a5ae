//! The one path every tool call takes: arguments checked against the schema the model saw,
//! adjusted, completed (default admin), deserialized into the generated types, sent; then the
//! answer read, shaped for the model, or turned into an error it can act on.

use std::time::SystemTime;

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Map, Value};

use super::{Context, Effect, Entry, Tool, validate};
use crate::error::{Hints, ToolError, api_error};
use crate::intercom::Sent;
use crate::{output, policy};

pub type Outcome = Result<Value, ToolError>;

/// What the model reads when Intercom answers 2xx with no body.
pub const EMPTY_SUCCESS: &str = "Intercom answered with success and an empty body.";

impl Entry {
    /// Runs the tool; every failure is a result the model can read, never a protocol error.
    /// With `structured`, a lean answer also goes out as `structuredContent`, the same value as
    /// the text (for an MCP Apps view; never Intercom's raw JSON).
    pub async fn call(
        &self,
        context: &Context,
        args: Option<Map<String, Value>>,
        hints: &Hints<'_>,
        structured: bool,
    ) -> CallToolResult {
        let mut raw = false;
        let outcome = match self.prepare(args.unwrap_or_default()) {
            Ok(mut args) => {
                raw = args.remove("raw") == Some(Value::Bool(true));
                // A dry run's description is the exact request: shown as it is.
                raw |= self.def.effect != Effect::Read && context.dry_run;
                (self.call)(context, args).await
            }
            Err(problem) => Err(ToolError::Arguments(problem)),
        };
        match outcome {
            Ok(Value::Null) => CallToolResult::success(vec![ContentBlock::text(EMPTY_SUCCESS)]),
            Ok(body) if raw => CallToolResult::success(vec![ContentBlock::text(body.to_string())]),
            Ok(body) => {
                let lean = output::lean(self.def.output, body);
                let mut result =
                    CallToolResult::success(vec![ContentBlock::text(lean.to_string())]);
                if structured {
                    result.structured_content = Some(lean);
                }
                result
            }
            Err(error) => CallToolResult::error(vec![ContentBlock::text(error.render(hints))]),
        }
    }

    /// Drops null members (a null means "leave it out"), checks the arguments against the
    /// schema the model was shown, and fills in the hidden constants.
    fn prepare(&self, mut args: Map<String, Value>) -> Result<Map<String, Value>, String> {
        args.retain(|_, value| !value.is_null());
        for (name, constant) in &self.input.hidden {
            if args.get(name) == Some(constant) {
                args.remove(name);
            }
        }
        let mut args = Value::Object(args);
        drop_nested_nulls(&mut args);
        validate::check(&args, &self.checked)?;
        let Value::Object(mut args) = args else {
            return Err("arguments must be an object".to_owned());
        };
        for (name, constant) in &self.input.hidden {
            args.insert(name.clone(), constant.clone());
        }
        Ok(args)
    }
}

/// Nulls inside nested objects that declare their fields (pagination, filters) mean "absent"
/// too; free-form objects such as custom_attributes keep theirs, where null clears a value.
fn drop_nested_nulls(args: &mut Value) {
    let Value::Object(map) = args else { return };
    for (name, value) in map.iter_mut() {
        if name == "custom_attributes" {
            continue;
        }
        if let Value::Object(inner) = value {
            inner.retain(|_, member| !member.is_null());
            drop_nested_nulls(value);
        }
    }
}

pub(super) async fn run<T: Tool>(context: &Context, mut args: Map<String, Value>) -> Outcome {
    T::adjust(&mut args).map_err(ToolError::Arguments)?;
    if T::DEFAULT_ADMIN && !args.contains_key("admin_id") {
        let admin = context.admin.id(&context.client).await?;
        args.insert("admin_id".to_owned(), Value::String(admin));
    }
    let input: T = serde_path_to_error::deserialize(Value::Object(args)).map_err(|err| {
        let path = err.path().to_string();
        ToolError::Arguments(format!("`{path}`: {}", err.into_inner()))
    })?;
    input.check().map_err(ToolError::Arguments)?;
    let client = if T::DEF.effect == Effect::Read {
        &context.client
    } else {
        &context.writes
    };
    respond(input.send(client).await).await
}

/// A generated client's answer → the JSON body, or the error the model reads.
pub async fn respond(sent: Sent) -> Outcome {
    use progenitor_client::Error;
    match sent {
        Ok(response) => Ok(response.into_inner()),
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
fn parse_success(body: &[u8]) -> Outcome {
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
