//! The record templates (`intercom://contacts/{id}`, `intercom://conversations/{id}`), read
//! through the Get tools themselves, so a resource holds what the tool answers (lean, customer
//! text fenced) and takes the same checks, policy and errors. Each tool names its own template
//! in its facts.
//!
//! A URI that names no record gets the revision's resource-not-found error with `data.uri`:
//! -32002 up to 2025-11-25, -32602 from 2026-07-28 (SEP-2164,
//! <https://modelcontextprotocol.io/seps/2164-resource-not-found-error>; rmcp turns the one into
//! the other by the revision in use). A URI names no record when Intercom answers its read with
//! 404 (nothing at that id) or 400 (the read sends nothing but the id, so a 400 says the id is
//! not one Intercom can read), or when the id is refused before anything is sent (`..`).
//! Any other failure (a refused token, a spent rate limit, Intercom failing, no answer) says
//! nothing about the URI and stays an internal error (-32603), with the tool's words.

use reqwest::StatusCode;
use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ReadResourceResult, ResourceContents, ResourceTemplate};
use serde_json::{Map, Value, json};

use super::directory::MIME;
use crate::error::Failed;
use crate::tools::{FACTS, Facts, Record};

/// The record templates, each with the tool that reads it (a tool's `Facts::record`).
fn templates() -> impl Iterator<Item = (&'static Facts, &'static Record)> {
    FACTS
        .iter()
        .copied()
        .filter_map(|facts| Some((facts, facts.record.as_ref()?)))
}

/// The URI templates, to name them in an error.
pub fn uri_templates() -> impl Iterator<Item = &'static str> {
    templates().map(|(_, record)| record.uri_template)
}

/// The templates whose tool is exposed (`--tools` and `--read-only` hold for resources too).
pub fn listed(exposed: impl Fn(&str) -> bool) -> Vec<ResourceTemplate> {
    templates()
        .filter(|(facts, _)| exposed(facts.name))
        .map(|(_, record)| {
            ResourceTemplate::new(record.uri_template, record.name)
                .with_title(record.title)
                .with_description(record.description)
                .with_mime_type(MIME)
        })
        .collect()
}

/// The tool and arguments a record URI reads with; `None` when it is no record URI. The id is
/// one path segment: anything after a further `/`, `?` or `#` is not part of it.
pub fn route(uri: &str) -> Option<(&'static str, Map<String, Value>)> {
    templates().find_map(|(facts, record)| {
        let id = uri.strip_prefix(record.prefix)?;
        if id.is_empty() || id.contains(['/', '?', '#']) {
            return None;
        }
        let mut args = Map::new();
        args.insert(record.argument.to_owned(), Value::String(id.to_owned()));
        Some((facts.name, args))
    })
}

/// The tool's answer as the resource's contents; its error as the read's error, word for word.
/// `None`: the tool is not exposed (`--tools`, `--read-only`), so neither is its template.
pub fn contents(
    uri: &str,
    tool: &str,
    result: Option<CallToolResult>,
) -> Result<ReadResourceResult, ErrorData> {
    let result = result.ok_or_else(|| {
        ErrorData::resource_not_found(
            format!("`{uri}` is read by {tool}, which this server does not expose"),
            Some(json!({"uri": uri})),
        )
    })?;
    let text: String = result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|text| text.text.as_str()))
        .collect();
    if result.is_error == Some(true) {
        return Err(if names_no_record(&Failed::of_rendered(&text)) {
            ErrorData::resource_not_found(
                format!("no record at `{uri}`: {text}"),
                Some(json!({"uri": uri})),
            )
        } else {
            ErrorData::internal_error(format!("reading `{uri}` failed: {text}"), None)
        });
    }
    Ok(ReadResourceResult::new(vec![
        ResourceContents::text(text, uri).with_mime_type(MIME),
    ]))
}

/// Whether a failed read says the URI names no record (see the module's note).
fn names_no_record(failed: &Failed) -> bool {
    match failed {
        Failed::NothingSent => true,
        Failed::Answered(status) => {
            matches!(*status, StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST)
        }
        Failed::Other => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_uri_is_one_id_segment() {
        let (tool, args) = route("intercom://contacts/abc123").unwrap();
        assert_eq!(tool, "intercomGetContact");
        assert_eq!(args.get("contact_id"), Some(&Value::from("abc123")));
        for bad in [
            "intercom://contacts/",
            "intercom://contacts/a/b",
            "intercom://contacts/a?x=1",
            "intercom://companies/1",
        ] {
            assert!(route(bad).is_none(), "{bad}");
        }
    }
}
