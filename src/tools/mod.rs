//! The allowlist: the 16 tools, what each is called, what it does to Intercom, and its input
//! schema. The one path every call takes lives in `call.rs`.

mod call;
mod companies;
mod contacts;
mod conversations;
pub mod descriptions;
mod ids;
mod notes;
mod paging;
pub mod schema;
mod search;
mod tags;
pub mod validate;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use rmcp::model::{Tool as ToolInfo, ToolAnnotations};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::admin::DefaultAdmin;
use crate::answer::Outcome;
use crate::config::Exposure;
use crate::intercom::{Client, Sent};
use crate::output::Output;
use schema::InputSchema;

pub use call::{Confirm, EMPTY_SUCCESS};

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

/// A tool's fixed facts. Each tool spells its own out in full, beside its input type: the
/// literals repeat one shape across the tool files by design.
pub struct ToolDef {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// The operationId in the vendored document.
    pub operation: &'static str,
    pub effect: Effect,
    /// The OAuth permission it needs, as Intercom's Developer Hub names it.
    pub scope: &'static str,
    /// How its answer is shaped for the model.
    pub output: Output,
}

/// One tool: its input type (path/query fields plus the generated request type) and how it
/// calls the generated client.
pub trait Tool: DeserializeOwned + JsonSchema + Send + 'static {
    const DEF: ToolDef;

    /// The call acts as an admin, and `admin_id` may be left out: the server fills in the
    /// default admin (see [`DefaultAdmin`]).
    const DEFAULT_ADMIN: bool = false;

    /// Top-level arguments where an explicit `null` is kept (it clears the field) instead of
    /// meaning "left out"; the tool's schema says they accept null.
    const NULLABLE: &'static [&'static str] = &[];

    /// Tool-specific refinements of the generated schema.
    fn shape(_schema: &mut Value) {}

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

/// What every call needs besides its arguments.
pub struct Context {
    pub client: Client,
    /// The client write tools use: `client` itself, or its dry-run twin.
    pub writes: Client,
    pub dry_run: bool,
    pub admin: Arc<DefaultAdmin>,
    /// How customer-written text in answers reaches the model.
    pub untrusted: crate::untrusted::Mode,
    /// The workspace's admins, teams, tags and token owner, as resources read them (cached).
    pub directory: Arc<crate::resources::directory::Directory>,
}

impl Context {
    pub fn new(
        client: Client,
        admin: Arc<DefaultAdmin>,
        dry_run: bool,
        untrusted: crate::untrusted::Mode,
    ) -> Self {
        let writes = if dry_run {
            crate::intercom::dry_run_twin(&client)
        } else {
            client.clone()
        };
        Self {
            client,
            writes,
            dry_run,
            admin,
            untrusted,
            directory: Arc::default(),
        }
    }
}

type Call = for<'a> fn(
    &'a Context,
    Map<String, Value>,
) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// A tool ready to list and call: schema built once, at start-up.
pub struct Entry {
    pub def: &'static ToolDef,
    pub input: InputSchema,
    pub info: ToolInfo,
    /// The schema as one JSON value, for checking arguments: built once, not per call.
    checked: Value,
    /// [`Tool::NULLABLE`].
    nullable: &'static [&'static str],
    /// Whether the operation is safe to send again ([`crate::policy::is_repeatable`]), for
    /// the error hints: worked out once, not per call.
    pub repeatable: bool,
    call: Call,
}

fn entry<T: Tool>() -> Entry {
    let def = &T::DEF;
    let mut input = schema::build::<T>(def.name, T::shape);
    if T::DEFAULT_ADMIN
        && let Some(Value::Array(required)) = input.schema.get_mut("required")
    {
        required.retain(|name| name != "admin_id");
    }
    if def.effect == Effect::Read
        && let Some(Value::Object(properties)) = input.schema.get_mut("properties")
    {
        let text = descriptions::of(def.name, "raw").unwrap_or_default();
        properties.insert(
            "raw".to_owned(),
            json!({"type": "boolean", "description": text}),
        );
    }
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
    let checked = Value::Object(input.schema.clone());
    Entry {
        def,
        input,
        info,
        checked,
        nullable: T::NULLABLE,
        repeatable: crate::policy::is_repeatable(def.operation),
        call: |context, args| Box::pin(call::run::<T>(context, args)),
    }
}

/// The tools the safety switches leave: all 16, the 9 reads (`read_only`), or the named
/// ones. A name that is no tool, or a write named alongside `read_only`, is an error.
pub fn select(exposure: &Exposure) -> Result<Vec<Entry>, String> {
    let mut tools = all();
    if let Some(names) = &exposure.tools {
        let known: Vec<&str> = tools.iter().map(|entry| entry.def.name).collect();
        if let Some(unknown) = names.iter().find(|name| !known.contains(&name.as_str())) {
            return Err(format!(
                "--tools names {unknown:?}, which is no tool; the tools are: {}",
                known.join(", ")
            ));
        }
        tools.retain(|entry| names.iter().any(|name| name == entry.def.name));
    }
    if exposure.read_only {
        if let Some(write) = tools.iter().find(|entry| entry.def.effect != Effect::Read)
            && exposure.tools.is_some()
        {
            return Err(format!(
                "--tools names the write tool {}, but --read-only is set",
                write.def.name
            ));
        }
        tools.retain(|entry| entry.def.effect == Effect::Read);
    }
    Ok(tools)
}

/// One line of `intercom-mcp tools`.
#[derive(serde::Serialize)]
pub struct Summary {
    pub name: &'static str,
    pub title: &'static str,
    /// read, or write plus how it behaves.
    pub effect: String,
    pub operation: &'static str,
    pub permission: &'static str,
    pub schema_bytes: usize,
}

pub fn summary<'a>(entries: impl Iterator<Item = &'a Entry>) -> Vec<Summary> {
    entries
        .map(|entry| Summary {
            name: entry.def.name,
            title: entry.def.title,
            effect: match entry.def.effect {
                Effect::Read => "read".to_owned(),
                Effect::Write {
                    destructive,
                    idempotent,
                } => format!(
                    "write{}{}",
                    if destructive { ", destructive" } else { "" },
                    if idempotent { ", idempotent" } else { "" }
                ),
            },
            operation: entry.def.operation,
            permission: entry.def.scope,
            schema_bytes: Value::Object(entry.input.schema.clone()).to_string().len(),
        })
        .collect()
}

/// A table column: its header, and how a row fills it.
type Column = (&'static str, fn(&Summary) -> String);

/// The summary as an aligned text table.
pub fn table(rows: &[Summary]) -> String {
    let width = |pick: fn(&Summary) -> String, header: &str| {
        rows.iter()
            .map(|row| pick(row).chars().count())
            .chain([header.len()])
            .max()
            .unwrap_or(0)
    };
    let columns: [Column; 4] = [
        ("tool", |row| row.name.to_owned()),
        ("effect", |row| row.effect.clone()),
        ("schema bytes", |row| row.schema_bytes.to_string()),
        ("permission", |row| row.permission.to_owned()),
    ];
    let widths: Vec<usize> = columns
        .iter()
        .map(|(header, pick)| width(*pick, header))
        .collect();
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = vec![line(
        columns
            .iter()
            .map(|(header, _)| (*header).to_owned())
            .collect(),
    )];
    out.extend(
        rows.iter()
            .map(|row| line(columns.iter().map(|(_, pick)| pick(row)).collect())),
    );
    out.join("\n")
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
        let mut used: BTreeSet<&str> = all().iter().map(|entry| entry.def.operation).collect();
        used.extend(["identifyAdmin", "listAdmins", "listTeams"]);
        assert_eq!(
            in_document, allowlist,
            "the vendored document and src/operations.rs"
        );
        assert_eq!(used, allowlist, "the tools and src/operations.rs");
    }
}
