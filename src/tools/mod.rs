//! The allowlist: the 16 tools. Each tool is one value ([`ServerTool`]) that knows everything
//! about itself: its [`Facts`] (name, effect, scope, output, field texts, view, record
//! template), its input schema, whether a call reaches a customer, and how it is sent. The
//! registry ([`all`]) lists them; nothing else names one. `call.rs` holds the one path every
//! call takes once the server has decided to send it.

mod call;
mod coerce;
pub mod companies;
pub mod contacts;
pub mod conversations;
pub mod descriptions;
mod facts;
mod ids;
pub mod notes;
mod paging;
pub mod schema;
mod search;
mod summary;
pub mod tags;
pub mod validate;

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use rmcp::model::{Tool as ToolListing, ToolAnnotations};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::config::Exposure;
use crate::confirm::{self, CustomerMessage};
use crate::intercom::{Client, Sent};
use crate::response::Answered;
use crate::workspace::Context;
use schema::InputSchema;

pub use call::EMPTY_SUCCESS;
pub use facts::{Effect, Facts, Record, View};
pub use summary::{Summary, summary, table};

/// One tool, written as its input type (path/query fields plus the generated request type):
/// its facts, its rules, and how it calls the generated client.
pub trait Tool: DeserializeOwned + JsonSchema + Send + 'static {
    const FACTS: Facts;

    /// The call acts as an admin, and `admin_id` may be left out: the server fills in the
    /// workspace's default admin.
    const DEFAULT_ADMIN: bool = false;

    /// Top-level arguments where an explicit `null` is kept (it clears the field) instead of
    /// meaning "left out"; the tool's schema says they accept null.
    const NULLABLE: &'static [&'static str] = &[];

    /// Tool-specific refinements of the generated schema.
    fn shape(_schema: &mut Value) {}

    /// What a customer will see when this call is sent with `args` (checked arguments), if
    /// anything: such a write is confirmed by the user first (`crate::confirm`).
    fn to_customer(_args: &Map<String, Value>) -> Option<CustomerMessage<'_>> {
        None
    }

    /// Rules and conversions on the arguments as JSON, after the schema check and before
    /// deserializing (the search query's operators and dates).
    fn adjust(_args: &mut Map<String, Value>) -> Result<(), String> {
        Ok(())
    }

    /// Rules the schema cannot say; `Err` names the field and what fits.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }

    fn send(self, client: &Client) -> impl Future<Output = Sent> + Send;
}

/// The part of a [`Tool`] that needs its type, behind a trait object: `Tool` itself has
/// constants and generic futures, so it cannot be one.
trait Handler: Send + Sync {
    fn to_customer<'a>(&self, args: &'a Map<String, Value>) -> Option<CustomerMessage<'a>>;

    fn send<'a>(
        &self,
        context: &'a Context,
        args: Map<String, Value>,
    ) -> Pin<Box<dyn Future<Output = Answered> + Send + 'a>>;
}

/// The [`Handler`] of the tool `T`.
struct Typed<T>(PhantomData<fn() -> T>);

impl<T: Tool> Handler for Typed<T> {
    fn to_customer<'a>(&self, args: &'a Map<String, Value>) -> Option<CustomerMessage<'a>> {
        T::to_customer(args)
    }

    fn send<'a>(
        &self,
        context: &'a Context,
        args: Map<String, Value>,
    ) -> Pin<Box<dyn Future<Output = Answered> + Send + 'a>> {
        Box::pin(call::send::<T>(context, args))
    }
}

/// A tool as the server holds it: its facts, and what is built from them once, at start-up.
pub struct ServerTool {
    pub facts: &'static Facts,
    pub input: InputSchema,
    /// What `tools/list` shows.
    pub listing: ToolListing,
    /// The schema as one JSON value, for checking arguments: built once, not per call.
    checked: Value,
    /// [`Tool::NULLABLE`].
    nullable: &'static [&'static str],
    handler: Box<dyn Handler>,
}

impl ServerTool {
    fn of<T: Tool>() -> Self {
        let facts = &T::FACTS;
        let mut input = schema::build::<T>(facts.fields, T::shape);
        if T::DEFAULT_ADMIN
            && let Some(Value::Array(required)) = input.schema.get_mut("required")
        {
            required.retain(|name| name != "admin_id");
        }
        if facts.effect == Effect::Read
            && let Some(Value::Object(properties)) = input.schema.get_mut("properties")
        {
            let text = descriptions::of(facts.fields, "raw").unwrap_or_default();
            properties.insert(
                "raw".to_owned(),
                json!({"type": "boolean", "description": text}),
            );
        }
        let annotations = match facts.effect {
            Effect::Read => ToolAnnotations::new().read_only(true),
            Effect::Write {
                destructive,
                idempotent,
            } => ToolAnnotations::new()
                .read_only(false)
                .destructive(destructive)
                .idempotent(idempotent),
        };
        let listing = ToolListing::new(facts.name, facts.description, input.schema.clone())
            .with_title(facts.title)
            .with_annotations(annotations.open_world(true));
        let checked = Value::Object(input.schema.clone());
        Self {
            facts,
            input,
            listing,
            checked,
            nullable: T::NULLABLE,
            handler: Box::new(Typed::<T>(PhantomData)),
        }
    }

    pub fn name(&self) -> &'static str {
        self.facts.name
    }

    /// Whether a call whose outcome is unknown may be sent again ([`Effect::repeatable`]).
    pub fn repeatable(&self) -> bool {
        self.facts.effect.repeatable()
    }

    /// The write a call with these (checked) arguments would make, as the user is asked
    /// about it; `None` for a read.
    pub fn write<'a>(&self, args: &'a Map<String, Value>) -> Option<confirm::Write<'a>> {
        (self.facts.effect != Effect::Read).then(|| confirm::Write {
            title: self.facts.title,
            args,
            to_customer: self.handler.to_customer(args),
        })
    }
}

/// The tools the safety switches leave: all 16, the 9 reads (`read_only`), or the named
/// ones. A name that is no tool, or a write named alongside `read_only`, is an error.
pub fn select(exposure: &Exposure) -> Result<Vec<ServerTool>, String> {
    let mut tools = all();
    if let Some(names) = &exposure.tools {
        let known: Vec<&str> = tools.iter().map(|tool| tool.facts.name).collect();
        if let Some(unknown) = names.iter().find(|name| !known.contains(&name.as_str())) {
            return Err(format!(
                "--tools names {unknown:?}, which is no tool; the tools are: {}",
                known.join(", ")
            ));
        }
        tools.retain(|tool| names.iter().any(|name| name == tool.facts.name));
    }
    if exposure.read_only {
        if let Some(write) = tools.iter().find(|tool| tool.facts.effect != Effect::Read)
            && exposure.tools.is_some()
        {
            return Err(format!(
                "--tools names the write tool {}, but --read-only is set",
                write.facts.name
            ));
        }
        tools.retain(|tool| tool.facts.effect == Effect::Read);
    }
    Ok(tools)
}

/// The registry: every tool, once, in the order `tools/list` shows them. It makes [`all`]
/// (the tools, schemas built) and [`FACTS`] (their facts alone, with nothing to build).
macro_rules! registry {
    ($($tool:ty),* $(,)?) => {
        /// The 16 tools, in the order `tools/list` shows them.
        pub fn all() -> Vec<ServerTool> {
            vec![$(ServerTool::of::<$tool>()),*]
        }

        /// The 16 tools' facts, in the same order, for whoever needs a fact of a tool the
        /// server may not expose (a record template says which tool reads it).
        pub const FACTS: &[&Facts] = &[$(&<$tool as Tool>::FACTS),*];
    };
}

registry![
    contacts::ListContacts,
    contacts::SearchContacts,
    contacts::GetContact,
    contacts::CreateContact,
    contacts::UpdateContact,
    notes::AddNote,
    conversations::ListConversations,
    conversations::SearchConversations,
    conversations::GetConversation,
    conversations::ReplyConversation,
    conversations::CloseConversation,
    conversations::AssignConversation,
    companies::ListCompanies,
    companies::GetCompany,
    tags::ListTags,
    tags::TagContact,
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::operations::OPERATIONS;

    /// The operations regen keeps (the allowlist), the ones the vendored document has, and the
    /// ones the tools use (plus GET /me, /admins and /teams, which the server calls itself for
    /// the default admin and the directory resources) are the same set.
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
        let mut used: BTreeSet<&str> = all().iter().map(|tool| tool.facts.operation).collect();
        used.extend(["identifyAdmin", "listAdmins", "listTeams"]);
        assert_eq!(
            in_document, allowlist,
            "the vendored document and src/operations.rs"
        );
        assert_eq!(used, allowlist, "the tools and src/operations.rs");
    }

    /// A call may be repeated exactly when its annotations say so: a read, or an idempotent
    /// write. The writes that are not are sent at most once.
    #[test]
    fn repeatable_is_what_the_annotations_say() {
        let once: Vec<&str> = all()
            .iter()
            .filter(|tool| !tool.repeatable())
            .map(|tool| tool.facts.operation)
            .collect();
        assert_eq!(
            once,
            [
                "CreateContact",
                "createNote",
                "replyConversation",
                "manageConversation",
                "manageConversation"
            ]
        );
        for tool in all() {
            let annotations = tool.listing.annotations.as_ref().unwrap();
            let idempotent = annotations.read_only_hint == Some(true)
                || annotations.idempotent_hint == Some(true);
            assert_eq!(tool.repeatable(), idempotent, "{}", tool.facts.name);
        }
    }

    /// Every source file under `dir` but the sandbox's (a fake Intercom, which knows no tool
    /// but is free to), with its unit tests cut off: `tests.rs` files and what follows
    /// `#[cfg(test)]`.
    fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("sandbox") {
                    sources(&path, out);
                }
            } else if path.extension().is_some_and(|ext| ext == "rs") && !path.ends_with("tests.rs")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                out.push((path.display().to_string(), code.to_owned()));
            }
        }
    }

    /// A tool's name is written once, in its own file: everything else asks the tool.
    #[test]
    fn each_tool_name_is_spelled_in_exactly_one_file() {
        let mut files = Vec::new();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        sources(&src, &mut files);
        for facts in FACTS {
            let spelled: Vec<&str> = files
                .iter()
                .filter(|(_, code)| code.contains(facts.name))
                .map(|(path, _)| path.as_str())
                .collect();
            assert_eq!(spelled.len(), 1, "{}: {spelled:?}", facts.name);
        }
    }
}
