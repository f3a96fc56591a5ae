//! The MCP Apps extension (`io.modelcontextprotocol/ui`): two HTML views served as `ui://`
//! resources, which tools point at them, and whether a client gets any of it.
//!
//! Spec: SEP-1865 "MCP Apps", stable revision 2026-01-26 (modelcontextprotocol/ext-apps,
//! `specification/2026-01-26/apps.mdx`): a UI resource is a `ui://` URI with MIME type
//! `text/html;profile=mcp-app` and `_meta.ui` (`csp` with `connectDomains`,
//! `resourceDomains`, `frameDomains`, `baseUriDomains`: empty means none; `prefersBorder`); a
//! tool names its view in `_meta.ui.resourceUri`; a client that renders views says so in
//! `initialize` under `capabilities.extensions["io.modelcontextprotocol/ui"]` with
//! `mimeTypes`. rmcp 3.11 carries that map as `ClientCapabilities::extensions`;
//! [`crate::declared::capabilities`] finds it in a request's own `_meta` (SEP-2575, how a
//! 2026-07-28 client states it), in a 2025 HTTP client's sealed session id, or in a stdio
//! session's `initialize`. A client that did not declare it is shown no view and cannot read
//! one ([`super::route`]).

use rmcp::model::{
    ClientCapabilities, InitializeResult, MetaObject, ReadResourceResult, Resource,
    ResourceContents, Tool as ToolListing,
};
use serde_json::{Value, json};

use crate::tools::{ServerTool, View};

pub const EXTENSION: &str = "io.modelcontextprotocol/ui";
pub const MIME: &str = "text/html;profile=mcp-app";
pub const SCHEME: &str = "ui://";

/// One view's resource: a self-contained HTML document. Which tools it shows, each tool says
/// (`Facts::view`).
pub struct ViewResource {
    pub view: View,
    pub uri: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub html: &'static str,
}

pub const CONVERSATION: &str = "ui://intercom-mcp/conversation";
pub const BROWSER: &str = "ui://intercom-mcp/browser";

pub const VIEWS: [ViewResource; 2] = [
    ViewResource {
        view: View::Conversation,
        uri: CONVERSATION,
        name: "conversation",
        title: "Intercom conversation",
        description: "One conversation as a timeline: who wrote what and when, notes set \
            apart, with its state, assignee and tags.",
        html: include_str!("../../assets/conversation.html"),
    },
    ViewResource {
        view: View::Browser,
        uri: BROWSER,
        name: "browser",
        title: "Intercom contacts and conversations",
        description: "A page of contacts or conversations as a table, with the next pages a \
            click away; a conversation opens on click.",
        html: include_str!("../../assets/browser.html"),
    },
];

/// True when the client renders MCP Apps views: it names the extension, and its `mimeTypes`,
/// when given, include ours. An extension entry without settings counts as support (rmcp's
/// reading of SEP-1724: an empty object is support with no settings).
pub fn wanted(capabilities: Option<&ClientCapabilities>) -> bool {
    let Some(settings) = capabilities
        .and_then(|capabilities| capabilities.extensions.as_ref())
        .and_then(|extensions| extensions.get(EXTENSION))
    else {
        return false;
    };
    match settings.get("mimeTypes") {
        None => true,
        Some(Value::Array(types)) => types.iter().any(|kind| kind.as_str() == Some(MIME)),
        Some(_) => false,
    }
}

/// The resource of the view that shows this tool's results, if any.
pub fn view_of(tool: &ServerTool) -> Option<&'static ViewResource> {
    let view = tool.facts.view?;
    VIEWS.iter().find(|resource| resource.view == view)
}

/// The tool as a client with the extension sees it: with `_meta.ui.resourceUri` when a view
/// shows its results.
pub fn link(tool: &ServerTool) -> ToolListing {
    let mut listing = tool.listing.clone();
    if let Some(view) = view_of(tool) {
        listing.meta = Some(meta(json!({"ui": {"resourceUri": view.uri}})));
    }
    listing
}

/// Says in the `initialize` result that this server serves the extension's views.
pub fn announce(result: &mut InitializeResult) {
    let settings = serde_json::Map::from_iter([("mimeTypes".to_owned(), json!([MIME]))]);
    result
        .capabilities
        .extensions
        .get_or_insert_default()
        .insert(EXTENSION.to_owned(), settings);
}

/// The views' `_meta.ui`: no network, no outside scripts, styles, images or frames (the host
/// builds its Content-Security-Policy from these lists; empty means none), and a border from
/// the host. Each document also carries a stricter policy of its own (see the assets).
fn ui_meta() -> MetaObject {
    meta(json!({"ui": {
        "csp": {"connectDomains": [], "resourceDomains": [], "frameDomains": [], "baseUriDomains": []},
        "prefersBorder": true,
    }}))
}

fn meta(value: Value) -> MetaObject {
    match value {
        Value::Object(map) => MetaObject(map),
        _ => MetaObject::default(),
    }
}

pub(super) fn listed() -> impl Iterator<Item = Resource> {
    VIEWS.iter().map(|view| {
        Resource::new(view.uri, view.name)
            .with_title(view.title)
            .with_description(view.description)
            .with_mime_type(MIME)
            .with_meta(ui_meta())
    })
}

pub(super) fn read(uri: &str) -> Option<ReadResourceResult> {
    let view = VIEWS.iter().find(|view| view.uri == uri)?;
    let contents = ResourceContents::text(view.html, view.uri)
        .with_mime_type(MIME)
        .with_meta(ui_meta());
    Some(ReadResourceResult::new(vec![contents]))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn capabilities(value: Value) -> ClientCapabilities {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn only_a_client_naming_the_extension_and_our_mime_type_gets_views() {
        let with = |settings: Value| {
            wanted(Some(&capabilities(
                json!({"extensions": {EXTENSION: settings}}),
            )))
        };
        assert!(with(json!({"mimeTypes": [MIME]})));
        assert!(with(json!({"mimeTypes": ["text/plain", MIME]})));
        assert!(with(json!({})));
        assert!(!with(json!({"mimeTypes": ["text/html"]})));
        assert!(!with(json!({"mimeTypes": MIME})));
        assert!(!wanted(Some(&capabilities(json!({})))));
        assert!(!wanted(Some(&capabilities(
            json!({"extensions": {"io.modelcontextprotocol/apps": {}}})
        ))));
        assert!(!wanted(None));
    }

    #[test]
    fn each_view_is_a_whole_document_with_its_own_strict_policy_and_no_inline_handlers() {
        for view in &VIEWS {
            let html = view.html;
            assert!(html.starts_with("<!DOCTYPE html>"), "{}", view.uri);
            let policy = html
                .split("http-equiv=\"Content-Security-Policy\" content=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap();
            for directive in [
                "default-src 'none'",
                "connect-src 'none'",
                "script-src 'sha256-",
                "base-uri 'none'",
                "form-action 'none'",
            ] {
                assert!(policy.contains(directive), "{}: {policy}", view.uri);
            }
            assert!(!policy.contains("unsafe"), "{}: {policy}", view.uri);
            // Markup outside the script: no on…= attribute anywhere.
            let markup = html.split("<script>").next().unwrap();
            let lowered = markup.to_ascii_lowercase();
            assert!(
                !lowered.split('<').any(|tag| tag
                    .split(['>'])
                    .next()
                    .unwrap()
                    .split_whitespace()
                    .any(|word| word.starts_with("on") && word.contains('='))),
                "{}",
                view.uri
            );
        }
    }
}
