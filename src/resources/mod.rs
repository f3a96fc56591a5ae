//! MCP resources: what `resources/list` shows and what `resources/read` returns. Each family
//! of resources lives in its own file and is reached here by its URI scheme, so a new family
//! (say `intercom://…`) is one more file and one more arm in [`read`] and [`list`].
//!
//! - [`apps`]: the two `ui://` views of the MCP Apps extension, and when a client gets them
//!   (only when it declared the extension: listed, read and linked from tools alike).
//! - [`directory`]: `intercom://admins`, `…/teams`, `…/tags`, `…/me`, from the workspace's
//!   cache.
//! - [`records`]: the templates `intercom://contacts/{id}` and `intercom://conversations/{id}`,
//!   read through the Get tools.

pub mod apps;
pub mod directory;
pub mod records;

use rmcp::ErrorData;
use rmcp::RoleServer;
use rmcp::model::{
    ClientCapabilities, InitializeResult, ReadResourceResult, Resource, Tool as ToolListing,
};
use rmcp::service::RequestContext;
use serde_json::{Map, Value, json};

use crate::tools::ServerTool;
use crate::workspace::directory::Kind;

/// What a client is offered beyond the plain tools, from the capabilities it stated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offer {
    /// The client renders MCP Apps views ([`apps::wanted`]).
    pub apps: bool,
}

impl Offer {
    /// From the capabilities a client stated (at `initialize`, for the `initialize` answer).
    pub fn of(capabilities: Option<&ClientCapabilities>) -> Self {
        Self {
            apps: apps::wanted(capabilities),
        }
    }

    /// For one request: the capabilities its `_meta` states, or those the client declared at
    /// `initialize` (a stdio session's, or an HTTP client's sealed in its session id), as
    /// [`crate::declared::capabilities`] finds them.
    pub fn of_request(context: &RequestContext<RoleServer>) -> Self {
        Self::of(crate::declared::capabilities(context).as_ref())
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

/// Where one URI is read from, for a client with this offer. A view is only for a client that
/// declared the extension: to any other, a `ui://` URI is as unknown as any other we do not
/// serve (a host that renders views declares it, so no host is refused a view it can show).
/// The error is rmcp's resource-not-found with `data.uri`; rmcp answers it with the code of
/// the client's revision (-32002 before 2026-07-28, -32602 from it, SEP-2164).
pub fn route(uri: &str, offer: Offer) -> Result<Route, ErrorData> {
    if offer.apps
        && uri.starts_with(apps::SCHEME)
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
    let views = apps::VIEWS.iter().filter(|_| offer.apps);
    let known: Vec<&str> = Kind::ALL
        .into_iter()
        .map(directory::uri)
        .chain(records::uri_templates())
        .chain(views.map(|view| view.uri))
        .collect();
    Err(ErrorData::resource_not_found(
        format!(
            "no resource `{uri}`; the resources are: {}",
            known.join(", ")
        ),
        Some(json!({ "uri": uri })),
    ))
}
