//! The workspace directory as resources: `intercom://admins`, `…/teams`, `…/tags` and `…/me`,
//! read from the workspace's cache (`crate::workspace::directory`).

use rmcp::ErrorData;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents};

use crate::config::Region;
use crate::error::Hints;
use crate::workspace::Context;
use crate::workspace::directory::Kind;

pub const MIME: &str = "application/json";

pub fn uri(kind: Kind) -> &'static str {
    match kind {
        Kind::Admins => "intercom://admins",
        Kind::Teams => "intercom://teams",
        Kind::Tags => "intercom://tags",
        Kind::Me => "intercom://me",
    }
}

/// The directory list a URI names.
pub fn of(uri: &str) -> Option<Kind> {
    Kind::ALL.into_iter().find(|kind| self::uri(*kind) == uri)
}

/// Name, title and description.
fn describe(kind: Kind) -> (&'static str, &'static str, &'static str) {
    match kind {
        Kind::Admins => (
            "admins",
            "Teammates",
            "Every admin: id, name, email, and away when away. Use the id as admin_id or \
             assignee_id.",
        ),
        Kind::Teams => (
            "teams",
            "Teams",
            "Every team: id, name and its members' admin ids. A team id is an assignee_id.",
        ),
        Kind::Tags => ("tags", "Tags", "Every tag: id and name, for tag_id."),
        Kind::Me => (
            "me",
            "Token owner",
            "The admin who owns the token (whom writes act as by default), and the \
             workspace.",
        ),
    }
}

/// What `resources/list` shows for the directory.
pub fn listed() -> impl Iterator<Item = Resource> {
    Kind::ALL.into_iter().map(|kind| {
        let (name, title, description) = describe(kind);
        Resource::new(uri(kind), name)
            .with_title(title)
            .with_description(description)
            .with_mime_type(MIME)
    })
}

/// Reads a directory resource in this workspace; a failure reads as a tool's would.
pub async fn read(
    kind: Kind,
    context: &Context,
    region: Option<Region>,
) -> Result<ReadResourceResult, ErrorData> {
    match context.directory(kind).await {
        Ok(value) => Ok(ReadResourceResult::new(vec![
            ResourceContents::text(value.to_string(), uri(kind)).with_mime_type(MIME),
        ])),
        Err(error) => {
            let hints = Hints {
                region,
                scope: kind.scope(),
                repeatable: true,
            };
            Err(ErrorData::internal_error(
                format!("reading `{}` failed: {}", uri(kind), error.render(&hints)),
                None,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_name_their_lists() {
        assert_eq!(of("intercom://tags"), Some(Kind::Tags));
        assert_eq!(of("intercom://nothing"), None);
    }
}
