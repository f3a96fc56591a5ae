//! The record templates: `intercom://contacts/{id}` and `intercom://conversations/{id}`, read
//! through the Get tools themselves, so a resource holds what the tool answers (lean, customer
//! text fenced) and takes the same checks, policy and errors.

use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ReadResourceResult, ResourceContents, ResourceTemplate};
use serde_json::{Map, Value};

use super::directory::MIME;

/// One template, and the Get tool behind it.
pub struct Template {
    pub prefix: &'static str,
    pub uri_template: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// The tool that reads the record, and the argument the id goes in.
    pub tool: &'static str,
    pub argument: &'static str,
}

pub const TEMPLATES: [Template; 2] = [
    Template {
        prefix: "intercom://contacts/",
        uri_template: "intercom://contacts/{id}",
        name: "contact",
        title: "A contact",
        description: "One contact by Intercom id, as intercomGetContact answers.",
        tool: "intercomGetContact",
        argument: "contact_id",
    },
    Template {
        prefix: "intercom://conversations/",
        uri_template: "intercom://conversations/{id}",
        name: "conversation",
        title: "A conversation",
        description: "One conversation by Intercom id with its timeline, as \
            intercomGetConversation answers.",
        tool: "intercomGetConversation",
        argument: "conversation_id",
    },
];

/// The templates whose tool is exposed (`--tools` and `--read-only` hold for resources too).
pub fn listed(exposed: impl Fn(&str) -> bool) -> Vec<ResourceTemplate> {
    TEMPLATES
        .iter()
        .filter(|template| exposed(template.tool))
        .map(|template| {
            ResourceTemplate::new(template.uri_template, template.name)
                .with_title(template.title)
                .with_description(template.description)
                .with_mime_type(MIME)
        })
        .collect()
}

/// The tool and arguments a record URI reads with; `None` when it is no record URI. The id is
/// one path segment: anything after a further `/`, `?` or `#` is not part of it.
pub fn route(uri: &str) -> Option<(&'static str, Map<String, Value>)> {
    TEMPLATES.iter().find_map(|template| {
        let id = uri.strip_prefix(template.prefix)?;
        if id.is_empty() || id.contains(['/', '?', '#']) {
            return None;
        }
        let mut args = Map::new();
        args.insert(template.argument.to_owned(), Value::String(id.to_owned()));
        Some((template.tool, args))
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
            None,
        )
    })?;
    let text: String = result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|text| text.text.as_str()))
        .collect();
    if result.is_error == Some(true) {
        return Err(ErrorData::internal_error(
            format!("reading `{uri}` failed: {text}"),
            None,
        ));
    }
    Ok(ReadResourceResult::new(vec![
        ResourceContents::text(text, uri).with_mime_type(MIME),
    ]))
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
