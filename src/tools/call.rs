//! The one path every tool call takes: arguments checked against the schema the model saw,
//! adjusted, completed (default admin), deserialized into the generated types, sent; then the
//! answer read, shaped for the model, or turned into an error it can act on.

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Map, Value};

use super::{Context, Effect, Entry, Tool, validate};
use crate::answer::{Outcome, respond};
use crate::error::{Hints, ToolError};
use crate::{confirm, output};

/// Whom to ask before a write, and which writes ask ([`crate::confirm`]).
pub struct Confirm<'a> {
    pub policy: confirm::Policy,
    /// The client to ask through; `None` where there is none (the `call` command).
    pub peer: Option<&'a rmcp::Peer<rmcp::RoleServer>>,
}

impl Confirm<'_> {
    /// Why the call must not be sent, when the user was asked and did not confirm.
    async fn refused(
        &self,
        def: &super::ToolDef,
        args: &Map<String, Value>,
        dry_run: bool,
    ) -> Option<String> {
        // A dry run sends nothing: nothing to confirm.
        let question = confirm::question(def, args, self.policy).filter(|_| !dry_run)?;
        // Boxed: asking is rare, and its future held inline would enlarge every call's.
        match Box::pin(confirm::ask(self.peer?, question)).await {
            confirm::Answer::Refused(why) => Some(why),
            confirm::Answer::Confirmed | confirm::Answer::NotAsked => None,
        }
    }
}

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
        confirm: &Confirm<'_>,
        structured: bool,
    ) -> CallToolResult {
        let mut raw = false;
        let outcome = match self.prepare(args.unwrap_or_default()) {
            Ok(mut args) => {
                // Asked once the arguments are known good, so the user sees what is sent.
                if let Some(refused) = confirm.refused(self.def, &args, context.dry_run).await {
                    return CallToolResult::error(vec![ContentBlock::text(refused)]);
                }
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
                let lean = output::for_model(self.def.output, body, context.untrusted);
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
    /// the field), checks the arguments against the schema the model was shown, and fills in
    /// the hidden constants.
    fn prepare(&self, mut args: Map<String, Value>) -> Result<Map<String, Value>, String> {
        args.retain(|name, value| !value.is_null() || self.nullable.contains(&name.as_str()));
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
