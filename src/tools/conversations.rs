//! Conversation tools: list, search, get, reply, close, assign.
//!
//! Each tool is its input type, its `Facts` and a `send()`: the same shape in every tool file,
//! on purpose, so that a tool reads whole where it stands (the duplicates check lists it).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::ids::PathId;
use super::paging::{MAX_PER_PAGE, bound_per_page, cursor_page};
use super::{Effect, Facts, Record, Tool, View, search};
use crate::confirm::CustomerMessage;
use crate::intercom::{Client, Sent, types};
use crate::output::Output;

const READ_SCOPE: &str = "Read conversations";
const WRITE_SCOPE: &str = "Write conversations";

#[derive(Deserialize, JsonSchema)]
pub struct ListConversations {
    per_page: Option<i64>,
    starting_after: Option<String>,
}

impl Tool for ListConversations {
    const FACTS: Facts = Facts {
        name: "intercomListConversations",
        title: "List conversations",
        description: "Pages through all conversations, without their parts; to find some, search.",
        operation: "listConversations",
        effect: Effect::Read,
        scope: READ_SCOPE,
        output: Output::CursorPage("conversations"),
        fields: &[],
        view: Some(View::Browser),
        record: None,
    };

    fn shape(schema: &mut Value) {
        bound_per_page(schema, Some(MAX_PER_PAGE));
    }

    async fn send(self, client: &Client) -> Sent {
        cursor_page!(client.list_conversations(), self).send().await
    }
}

#[derive(Deserialize, JsonSchema)]
pub struct SearchConversations {
    #[serde(flatten)]
    body: types::SearchRequest,
}

impl Tool for SearchConversations {
    const FACTS: Facts = Facts {
        name: "intercomSearchConversations",
        title: "Search conversations",
        description: "Finds conversations by state, open, read, admin_assignee_id, \
            team_assignee_id, contact_ids, tag_ids, created_at, updated_at…",
        operation: "searchConversations",
        effect: Effect::Read,
        scope: READ_SCOPE,
        output: Output::CursorPage("conversations"),
        fields: &[],
        view: Some(View::Browser),
        record: None,
    };

    fn shape(schema: &mut Value) {
        search::shape(schema);
    }

    fn adjust(args: &mut Map<String, Value>) -> Result<(), String> {
        search::adjust(args, &search::CONVERSATION_FIELDS)
    }

    async fn send(self, client: &Client) -> Sent {
        client.search_conversations().body(self.body).send().await
    }
}

/// How a conversation's message bodies come back.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum DisplayAs {
    Plaintext,
}

#[derive(Deserialize, JsonSchema)]
pub struct GetConversation {
    conversation_id: PathId,
    display_as: Option<DisplayAs>,
}

impl Tool for GetConversation {
    const FACTS: Facts = Facts {
        name: "intercomGetConversation",
        title: "Get a conversation",
        description: "One conversation with its parts (messages, notes, assignments; at most \
            500), contacts, tags.",
        operation: "retrieveConversation",
        effect: Effect::Read,
        scope: READ_SCOPE,
        output: Output::Conversation,
        fields: &[],
        view: Some(View::Conversation),
        record: Some(Record {
            prefix: "intercom://conversations/",
            uri_template: "intercom://conversations/{id}",
            name: "conversation",
            title: "A conversation",
            description: "One conversation by Intercom id with its timeline, as \
                intercomGetConversation answers.",
            argument: "conversation_id",
        }),
    };

    async fn send(self, client: &Client) -> Sent {
        let mut request = client
            .retrieve_conversation()
            .conversation_id(self.conversation_id.as_str());
        if let Some(DisplayAs::Plaintext) = self.display_as {
            request = request.display_as("plaintext");
        }
        request.send().await
    }
}

#[derive(Deserialize, JsonSchema)]
pub struct ReplyConversation {
    conversation_id: PathId,
    #[serde(flatten)]
    body: types::AdminReplyConversationRequest,
}

impl Tool for ReplyConversation {
    const FACTS: Facts = Facts {
        name: "intercomReplyConversation",
        title: "Reply to a conversation",
        description: "Replies as an admin: a comment the customer sees, or an internal note. \
            Each call posts another.",
        operation: "replyConversation",
        effect: Effect::Write {
            destructive: false,
            idempotent: false,
        },
        scope: WRITE_SCOPE,
        output: Output::Conversation,
        fields: &[("name", "File name, e.g. invoice.pdf.")],
        view: None,
        record: None,
    };

    const DEFAULT_ADMIN: bool = true;

    /// A comment reaches the customer; a note only teammates.
    fn to_customer(args: &Map<String, Value>) -> Option<CustomerMessage<'_>> {
        let comment = args.get("message_type").and_then(Value::as_str) == Some("comment");
        comment.then(|| message(args)).flatten()
    }

    fn shape(schema: &mut Value) {
        // typify drops the document's `maxItems: 10` on both attachment lists.
        for list in ["attachment_urls", "attachment_files"] {
            if let Some(Value::Object(property)) =
                schema.pointer_mut(&format!("/properties/{list}"))
            {
                property.insert("maxItems".to_owned(), json!(10));
            }
        }
    }

    async fn send(self, client: &Client) -> Sent {
        let body = types::ReplyConversationRequest::from(self.body);
        client
            .reply_conversation()
            .conversation_id(self.conversation_id.as_str())
            .body(body)
            .send()
            .await
    }
}

#[derive(Deserialize, JsonSchema)]
pub struct CloseConversation {
    conversation_id: PathId,
    #[serde(flatten)]
    body: types::CloseConversationRequest,
}

impl Tool for CloseConversation {
    const FACTS: Facts = Facts {
        name: "intercomCloseConversation",
        title: "Close a conversation",
        description: "Closes a conversation as an admin, optionally with a message.",
        operation: "manageConversation",
        effect: Effect::Write {
            destructive: false,
            idempotent: false,
        },
        scope: WRITE_SCOPE,
        output: Output::Conversation,
        fields: &[("body", "Closing message the customer sees.")],
        view: None,
        record: None,
    };

    const DEFAULT_ADMIN: bool = true;

    fn to_customer(args: &Map<String, Value>) -> Option<CustomerMessage<'_>> {
        message(args)
    }

    async fn send(self, client: &Client) -> Sent {
        manage(client, &self.conversation_id, self.body.into()).await
    }
}

// Assigning mirrors closing line for line: one operation (`manage`), two tools told apart by
// their body type and effect, so that each keeps its own schema and annotations.
#[derive(Deserialize, JsonSchema)]
pub struct AssignConversation {
    conversation_id: PathId,
    #[serde(flatten)]
    body: types::AssignConversationRequest,
}

impl Tool for AssignConversation {
    const FACTS: Facts = Facts {
        name: "intercomAssignConversation",
        title: "Assign a conversation",
        description: "Assigns a conversation to an admin or a team, replacing the assignee.",
        operation: "manageConversation",
        effect: Effect::Write {
            destructive: true,
            idempotent: false,
        },
        scope: WRITE_SCOPE,
        output: Output::Conversation,
        fields: &[
            ("body", "Note added with the assignment."),
            ("type", "Assign to an admin or a team."),
        ],
        view: None,
        record: None,
    };

    const DEFAULT_ADMIN: bool = true;

    /// Treated as reaching the customer: what is sent with an assignment is the conversation's
    /// next part, and whether a customer sees it depends on the workspace.
    fn to_customer(args: &Map<String, Value>) -> Option<CustomerMessage<'_>> {
        message(args)
    }

    async fn send(self, client: &Client) -> Sent {
        manage(client, &self.conversation_id, self.body.into()).await
    }
}

/// The `body` a write sends into the conversation `conversation_id`, if it has one.
fn message(args: &Map<String, Value>) -> Option<CustomerMessage<'_>> {
    let text = |name: &str| args.get(name).and_then(Value::as_str);
    Some(CustomerMessage {
        conversation: text("conversation_id").unwrap_or("?"),
        body: text("body")?,
    })
}

/// Closing and assigning are one operation, `manageConversation`, told apart by the body.
async fn manage(client: &Client, id: &PathId, body: types::ManageConversationBody) -> Sent {
    client
        .manage_conversation()
        .conversation_id(id.as_str())
        .body(body)
        .send()
        .await
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    #[test]
    fn the_attachment_limit_is_the_documents() {
        let doc: Value =
            serde_json::from_str(include_str!("../../openapi/intercom-2.11.json")).unwrap();
        let reply = &doc["components"]["schemas"]["admin_reply_conversation_request"]["properties"];
        assert_eq!(reply["attachment_urls"]["maxItems"], 10);
        assert_eq!(reply["attachment_files"]["maxItems"], 10);
    }
}
