//! The allowlist: the 16 tools, what each is called, what it does to Intercom, its input schema,
//! and the one path every call takes (validate → deserialize → check → send → result).

mod companies;
mod contacts;
mod conversations;
pub mod descriptions;
mod ids;
mod notes;
pub mod schema;
mod search;
mod tags;
pub mod validate;

use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

use rmcp::model::{CallToolResult, ContentBlock, Tool as ToolInfo, ToolAnnotations};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Hints, ToolError, api_error};
use crate::intercom::{Client, Sent};
use crate::policy;
use schema::InputSchema;

/// What calling a tool does to the workspace, as MCP annotations describe it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Read,
    /// A change; `idempotent` when repeating it with the same arguments changes nothing more.
    Write {
        destructive: bool,
        idempotent: bool,
    },
}

/// A tool's fixed facts.
pub struct ToolDef {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// The operationId in the vendored document.
    pub operation: &'static str,
    pub effect: Effect,
    /// The OAuth permission it needs, as Intercom's Developer Hub names it.
    pub scope: &'static str,
}

/// One tool: its input type (path/query fields plus the generated request type) and how it
/// calls the generated client.
pub trait Tool: DeserializeOwned + JsonSchema + Send + 'static {
    const DEF: ToolDef;

    /// Tool-specific refinements of the generated schema.
    fn shape(_schema: &mut Value) {}

    /// Rules the schema cannot say; `Err` names the field and what fits.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }

    fn send(self, client: &Client) -> impl Future<Output = Sent> + Send;
}

type Outcome = Result<Value, ToolError>;

/// What the model reads when Intercom answers 2xx with no body.
pub const EMPTY_SUCCESS: &str = "Intercom answered with success and an empty body.";
type Call = for<'a> fn(&'a Client, Value) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// A tool ready to list and call: schema built once, at start-up.
pub struct Entry {
    pub def: &'static ToolDef,
    pub input: InputSchema,
    pub info: ToolInfo,
    call: Call,
}

fn entry<T: Tool>() -> Entry {
    let def = &T::DEF;
    let input = schema::build::<T>(def.name, T::shape);
    let annotations = match def.effect {
        Effect::Read => ToolAnnotations::new().read_only(true),
        Effect::Write {
            destructive,
            idempotent,
        } => ToolAnnotations::new()
            .read_only(false)
            .destructive(destructive)
            .idempotent(idempotent),
    };
    let info = ToolInfo::new(def.name, def.description, input.schema.clone())
        .with_title(def.title)
        .with_annotations(annotations.open_world(true));
    Entry {
        def,
        input,
        info,
        call: |client, args| Box::pin(run::<T>(client, args)),
    }
}

/// The 16 tools, in the order `tools/list` shows them.
pub fn all() -> Vec<Entry> {
    vec![
        entry::<contacts::ListContacts>(),
        entry::<contacts::SearchContacts>(),
        entry::<contacts::GetContact>(),
        entry::<contacts::CreateContact>(),
        entry::<contacts::UpdateContact>(),
        entry::<notes::AddNote>(),
        entry::<conversations::ListConversations>(),
        entry::<conversations::SearchConversations>(),
        entry::<conversations::GetConversation>(),
        entry::<conversations::ReplyConversation>(),
        entry::<conversations::CloseConversation>(),
        entry::<conversations::AssignConversation>(),
        entry::<companies::ListCompanies>(),
        entry::<companies::GetCompany>(),
        entry::<tags::ListTags>(),
        entry::<tags::TagContact>(),
    ]
}

impl Entry {
    /// Runs the tool; every failure is a result the model can read, never a protocol error.
    pub async fn call(
        &self,
        client: &Client,
        args: Option<Map<String, Value>>,
        hints: &Hints<'_>,
    ) -> CallToolResult {
        let outcome = match self.prepare(args.unwrap_or_default()) {
            Ok(args) => (self.call)(client, args).await,
            Err(problem) => Err(ToolError::Arguments(problem)),
        };
        match outcome {
            Ok(Value::Null) => CallToolResult::success(vec![ContentBlock::text(EMPTY_SUCCESS)]),
            Ok(body) => CallToolResult::success(vec![ContentBlock::text(body.to_string())]),
            Err(error) => CallToolResult::error(vec![ContentBlock::text(error.render(hints))]),
        }
    }

    /// Drops null members (a null means "leave it out"), checks the arguments against the
    /// schema the model was shown, and fills in the hidden constants.
    fn prepare(&self, mut args: Map<String, Value>) -> Result<Value, String> {
        args.retain(|_, value| !value.is_null());
        for (name, constant) in &self.input.hidden {
            if args.get(name) == Some(constant) {
                args.remove(name);
            }
        }
        let mut args = Value::Object(args);
        drop_nested_nulls(&mut args);
        validate::check(&args, &Value::Object(self.input.schema.clone()))?;
        if let Value::Object(map) = &mut args {
            for (name, constant) in &self.input.hidden {
                map.insert(name.clone(), constant.clone());
            }
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

async fn run<T: Tool>(client: &Client, args: Value) -> Outcome {
    let input: T = serde_path_to_error::deserialize(args).map_err(|err| {
        let path = err.path().to_string();
        ToolError::Arguments(format!("`{path}`: {}", err.into_inner()))
    })?;
    input.check().map_err(ToolError::Arguments)?;
    respond(input.send(client).await).await
}

/// A generated client's answer → the JSON body, or the error the model reads.
async fn respond(sent: Sent) -> Outcome {
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::operations::OPERATIONS;

    /// The operations regen keeps (the allowlist), the ones the vendored document has, and the
    /// ones the tools use (plus GET /me, which the server calls itself) are the same set.
    #[test]
    fn tools_document_and_allowlist_agree() {
        let allowlist: BTreeSet<&str> = OPERATIONS.iter().copied().collect();
        let doc: Value =
            serde_json::from_str(include_str!("../../openapi/intercom-2.11.json")).unwrap();
        let mut in_document = BTreeSet::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
                    in_document.insert(id.to_owned());
                }
            }
        }
        let in_document: BTreeSet<&str> = in_document.iter().map(String::as_str).collect();
        let mut used: BTreeSet<&str> = all().iter().map(|entry| entry.def.operation).collect();
        used.insert("identifyAdmin");
        assert_eq!(
            in_document, allowlist,
            "the vendored document and src/operations.rs"
        );
        assert_eq!(used, allowlist, "the tools and src/operations.rs");
    }
}
