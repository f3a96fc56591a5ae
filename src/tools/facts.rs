//! What a tool is, as data: the facts each tool states once, in its own file, and that every
//! other part reads from it (the listing, the retry policy, the confirmation, the views, the
//! record templates).

use crate::output::Output;

/// A tool's fixed facts. Each tool spells its own out in full, beside its input type: the
/// literals repeat one shape across the tool files by design.
pub struct Facts {
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
    /// The words the model reads for a field of this tool, where the shared text for that
    /// field's name (`descriptions.rs`) does not fit.
    pub fields: &'static [(&'static str, &'static str)],
    /// The MCP Apps view that shows its result, for a client that renders views.
    pub view: Option<View>,
    /// The resource template that reads a record through this tool.
    pub record: Option<Record>,
}

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

impl Effect {
    /// Whether a call whose outcome is unknown (a 5xx, a dropped connection) may be sent
    /// again: a read, or a write its annotations call idempotent. The annotations and the
    /// retry policy read this one fact.
    pub fn repeatable(self) -> bool {
        match self {
            Effect::Read => true,
            Effect::Write { idempotent, .. } => idempotent,
        }
    }
}

/// The MCP Apps views (`crate::resources::apps` serves them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// One conversation as a timeline.
    Conversation,
    /// A page of contacts or conversations as a table.
    Browser,
}

/// A resource template that reads one record through a Get tool: `{prefix}{id}`, the id going
/// in the tool's `argument` (`crate::resources::records` serves it).
pub struct Record {
    pub prefix: &'static str,
    pub uri_template: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub argument: &'static str,
}
