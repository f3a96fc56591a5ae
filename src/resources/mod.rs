//! MCP resources: what `resources/list` shows and what `resources/read` returns. Each family
//! of resources lives in its own file and is reached here by its URI scheme, so a new family
//! (say `intercom://…`) is one more file and one more arm in [`read`] and [`list`].
//!
//! - [`apps`]: the two `ui://` views of the MCP Apps extension, and when a client gets them.
//! - [`directory`]: `intercom://admins`, `…/teams`, `…/tags`, `…/me`, from the workspace's
//!   cache.
//! - [`records`]: the templates `intercom://contacts/{id}` and `intercom://conversations/{id}`,
//!   read through the Get tools.

pub mod apps;
pub mod directory;
pub mod records;

use rmcp::ErrorData;
use rmcp::model::{
    ClientCapabilities, InitializeResult, ReadResourceResult, Resource, Tool as ToolListing,
};
use serde_json::{Map, Value};

use crate::tools::ServerTool;
use crate::workspace::directory::Kind;

/// What a client is offered beyond the plain tools, from the capabilities it stated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offer {
    /// The client renders MCP Apps views ([`apps::wanted`]).
    pub apps: bool,
}

impl Offer {
    /// Over stdio the capabilities are those of `initialize`; over stateless HTTP, where each
    /// request meets a new handler, only those a request states in its own `_meta` (rmcp's
    /// `RequestContext::client_capabilities()` gives either).
    pub fn of(capabilities: Option<&ClientCapabilities>) -> Self {
        Self {
            apps: apps::wanted(capabilities),
        }
    }

    /// Completes the `initialize` result: the extensions this client gets (every client gets
    /// the `resources` capability, for the directory: see the server's `get_info`).
    pub fn announce(self, result: &mut InitializeResult) {
        if self.apps {
            apps::announce(result);
        }
    }

    /// A tool as this client is shown it.
    pub fn tool(self, tool: &ServerTool) -> ToolListing {
        if self.apps {
            apps::link(tool)
        } else {
            tool.listing.clone()
        }
    }

    /// Whether this tool's answer also goes out as `structuredContent`, for its view.
    pub fn structured(self, tool: &ServerTool) -> bool {
        self.apps && apps::view_of(tool).is_some()
    }
}

/// The resources a client with this offer is shown: the directory, and the views for a client
/// that renders them.
pub fn list(offer: Offer) -> Vec<Resource> {
    let mut resources: Vec<Resource> = directory::listed().collect();
    if offer.apps {
        resources.extend(apps::listed());
    }
    resources
}

/// Where a read goes.
pub enum Route {
    /// Known without asking Intercom (a view).
    Ready(ReadResourceResult),
    Directory(Kind),
    /// A record, read by calling this Get tool with these arguments.
    Record {
        tool: &'static str,
        args: Map<String, Value>,
    },
}

/// Where one URI is read from. Reading is allowed whatever the offer: a resource holds nothing
/// secret, and a host may read a view it learnt of from a tool's `_meta` without listing.
pub fn route(uri: &str) -> Result<Route, ErrorData> {
    if uri.starts_with(apps::SCHEME)
        && let Some(view) = apps::read(uri)
    {
        return Ok(Route::Ready(view));
    }
    if let Some(kind) = directory::of(uri) {
        return Ok(Route::Directory(kind));
    }
    if let Some((tool, args)) = records::route(uri) {
        return Ok(Route::Record { tool, args });
    }
    let known: Vec<&str> = Kind::ALL
        .into_iter()
        .map(directory::uri)
        .chain(records::uri_templates())
        .chain(apps::VIEWS.iter().map(|view| view.uri))
        .collect();
    Err(ErrorData::resource_not_found(
        format!(
            "no resource `{uri}`; the resources are: {}",
            known.join(", ")
        ),
        None,
    ))
}
