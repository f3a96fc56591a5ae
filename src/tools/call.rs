//! The one path a tool call takes once the server has decided to send it: arguments checked
//! against the schema the model saw ([`ServerTool::prepare`], before the server asks for any
//! confirmation), adjusted, completed (default admin), deserialized into the generated types,
//! sent; then the answer shaped for the model, or turned into an error it can act on.

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Map, Value};

use super::{Effect, ServerTool, Tool, coerce, validate};
use crate::audit::{Outcome, Report};
use crate::error::{Hints, ToolError};
use crate::output;
use crate::response::{Answered, respond_fully};
use crate::workspace::Context;

/// What the model reads when Intercom answers 2xx with no body.
pub const EMPTY_SUCCESS: &str = "Intercom answered with success and an empty body.";

impl ServerTool {
    /// Sends a call whose arguments [`ServerTool::prepare`] accepted; every failure is a
    /// result the model can read, never a protocol error. With `structured`, a lean answer
    /// also goes out as `structuredContent`, the same value as the text (for an MCP Apps view;
    /// never Intercom's raw JSON). Also says what came of it, for the audit trail and the
    /// metrics.
    pub async fn call(
        &self,
        context: &Context,
        mut args: Map<String, Value>,
        hints: &Hints<'_>,
        structured: bool,
    ) -> (CallToolResult, Report) {
        let mut raw = args.remove("raw") == Some(Value::Bool(true));
        let dry_run = self.facts.effect != Effect::Read && context.dry_run;
        // A dry run's description is the exact request: shown as it is.
        raw |= dry_run;
        let answered = self.handler.send(context, args).await;
        let report = report(&answered, dry_run);
        (
            self.shaped(answered, raw, context, hints, structured),
            report,
        )
    }

    fn shaped(
        &self,
        answered: Answered,
        raw: bool,
        context: &Context,
        hints: &Hints<'_>,
        structured: bool,
    ) -> CallToolResult {
        match answered.answer {
            Ok(Value::Null) => CallToolResult::success(vec![ContentBlock::text(EMPTY_SUCCESS)]),
            Ok(body) if raw => CallToolResult::success(vec![ContentBlock::text(body.to_string())]),
            Ok(body) => {
                let lean = output::for_model(self.facts.output, body, context.untrusted);
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

    /// Drops null members (a null means "leave it out", except where the tool says it clears
    /// the field), puts right what a client got wrong unambiguously (`coerce.rs`), checks the
    /// arguments against the schema the model was shown, and fills in the hidden constants. `Err` says what is wrong, for the model.
    pub fn prepare(
        &self,
        args: Option<Map<String, Value>>,
    ) -> Result<Map<String, Value>, ToolError> {
        let mut args = args.unwrap_or_default();
        args.retain(|name, value| !value.is_null() || self.nullable.contains(&name.as_str()));
        for (name, constant) in &self.input.hidden {
            if args.get(name) == Some(constant) {
                args.remove(name);
            }
        }
        coerce::arguments(&mut args, &self.checked);
        let mut args = Value::Object(args);
        drop_nested_nulls(&mut args);
        validate::check(&args, &self.checked).map_err(ToolError::Arguments)?;
        let Value::Object(mut args) = args else {
            return Err(ToolError::Arguments(
                "arguments must be an object".to_owned(),
            ));
        };
        for (name, constant) in &self.input.hidden {
            args.insert(name.clone(), constant.clone());
        }
        Ok(args)
    }
}

/// What came of a call, from its answer: whether it was sent, and what Intercom said.
fn report(answered: &Answered, dry_run: bool) -> Report {
    let request_id = answered.request_id.clone();
    let outcome = match &answered.answer {
        Ok(_) if dry_run => return Report::only(Outcome::DryRun),
        Ok(body) => {
            return Report {
                outcome: Outcome::Sent,
                status: answered.status,
                request_id,
                record_id: body.get("id").and_then(crate::audit::id_text),
            };
        }
        // An error answer too large to read.
        Err(ToolError::Body(_)) if answered.status.is_some_and(|status| status >= 300) => {
            Outcome::Refused
        }
        // 2xx, but not JSON (or too large to read): Intercom took it.
        Err(ToolError::Body(_)) => Outcome::Sent,
        Err(ToolError::Api(error)) => {
            return Report {
                outcome: Outcome::Refused,
                status: Some(error.status.as_u16()),
                request_id: error.request_id.clone().or(request_id),
                record_id: None,
            };
        }
        Err(ToolError::Redirect { .. }) => Outcome::Refused,
        Err(ToolError::Arguments(_)) => Outcome::Invalid,
        Err(ToolError::Request(_)) => Outcome::Withheld,
        Err(ToolError::Transport(_)) => Outcome::Unknown,
    };
    Report {
        outcome,
        status: answered.status,
        request_id,
        record_id: None,
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

/// Sends the tool `T` with prepared arguments, as the workspace's client for its effect.
pub(super) async fn send<T: Tool>(context: &Context, args: Map<String, Value>) -> Answered {
    match ready::<T>(context, args).await {
        Ok(input) => {
            let effect = T::FACTS.effect;
            let client = context.client(effect != Effect::Read, effect.repeatable());
            respond_fully(input.send(&client).await).await
        }
        Err(error) => Answered::unsent(Err(error)),
    }
}

/// The tool's input, ready to send: its rules applied, the default admin filled in, the
/// generated types built and checked.
async fn ready<T: Tool>(context: &Context, mut args: Map<String, Value>) -> Result<T, ToolError> {
    T::adjust(&mut args).map_err(ToolError::Arguments)?;
    if T::DEFAULT_ADMIN && !args.contains_key("admin_id") {
        let admin = context.default_admin().await?;
        args.insert("admin_id".to_owned(), Value::String(admin));
    }
    let input: T = serde_path_to_error::deserialize(Value::Object(args)).map_err(|err| {
        let path = err.path().to_string();
        ToolError::Arguments(format!("`{path}`: {}", err.into_inner()))
    })?;
    input.check().map_err(ToolError::Arguments)?;
    Ok(input)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::response::Answer;

    fn answered(answer: Answer, status: Option<u16>) -> Answered {
        Answered {
            answer,
            status,
            request_id: Some("req-h".to_owned()),
        }
    }

    fn outcome(answer: Answer, status: Option<u16>) -> Outcome {
        report(&answered(answer, status), false).outcome
    }

    #[test]
    fn what_came_of_a_call_follows_from_its_answer() {
        assert_eq!(
            report(&answered(Ok(json!({"id": 5})), Some(201)), false),
            Report {
                outcome: Outcome::Sent,
                status: Some(201),
                request_id: Some("req-h".to_owned()),
                record_id: Some("5".to_owned()),
            }
        );
        let described = answered(Ok(json!({"method": "POST"})), Some(200));
        assert_eq!(report(&described, true), Report::only(Outcome::DryRun));
        let body = || Err(ToolError::Body("not JSON".to_owned()));
        assert_eq!(outcome(body(), Some(200)), Outcome::Sent);
        assert_eq!(outcome(body(), Some(502)), Outcome::Refused);
        let redirect = ToolError::Redirect {
            status: reqwest::StatusCode::FOUND,
            host: None,
        };
        assert_eq!(outcome(Err(redirect), Some(302)), Outcome::Refused);
        let text = || "why".to_owned();
        assert_eq!(
            outcome(Err(ToolError::Arguments(text())), None),
            Outcome::Invalid
        );
        assert_eq!(
            outcome(Err(ToolError::Request(text())), None),
            Outcome::Withheld
        );
        assert_eq!(
            outcome(Err(ToolError::Transport(text())), None),
            Outcome::Unknown
        );
    }
}
