//! The sample workspace the sandbox starts with: "Pebble & Pine", an invented outdoor-gear
//! shop, kept as data in `workspace.json`. Every person, company and message there is made up;
//! addresses use reserved example domains and phone numbers from ranges set aside for fiction.
//!
//! The file holds each record's own facts. This module adds only what the data would otherwise
//! have to repeat: the fields every contact starts with (the same a created contact gets) and
//! every conversation starts with, and the authors and contact references a conversation
//! names by id, filled in from those records.

use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::records::{admin_author, blank, contact_author, part};
use super::store::{Contact, Conversation, Store, id_of};

/// The admin who owns the sandbox token; one of the file's admins.
pub const OWNER: &str = "7300101";

/// The file, parsed once for the life of the process; each sandbox starts from a copy.
static SAMPLE: LazyLock<Result<Sample, String>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("workspace.json"))
        .map_err(|err| format!("src/sandbox/workspace.json: {err}"))
});

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sample {
    /// The workspace, as `GET /me` shows it.
    app: Value,
    admins: Vec<Value>,
    teams: Vec<Value>,
    tags: Vec<Value>,
    companies: Vec<Value>,
    contacts: Vec<SampleContact>,
    conversations: Vec<SampleConversation>,
    /// Where the numbering of new notes and conversation parts goes on from.
    next_number: u64,
}

/// A contact: the fields that differ from a new contact's, and its tags and companies by id.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleContact {
    id: String,
    created_at: i64,
    fields: Map<String, Value>,
    tags: Vec<String>,
    companies: Vec<String>,
}

/// A conversation `contact` started with `source` at `created_at`: the fields that differ
/// from a new conversation's, and its parts, oldest first.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleConversation {
    id: String,
    contact: String,
    created_at: i64,
    source: Source,
    fields: Map<String, Value>,
    parts: Vec<SamplePart>,
}

/// The message that opened a conversation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Source {
    #[serde(rename = "type")]
    kind: String,
    subject: String,
    body: String,
}

/// A part of a conversation: a message, or without `body` an event (assignment, close,
/// snooze). `author` is an admin's or a contact's id.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SamplePart {
    id: String,
    part_type: String,
    #[serde(default)]
    body: Option<String>,
    created_at: i64,
    author: String,
    #[serde(default)]
    assigned_to: Value,
}

/// A fresh copy of the sample workspace. `Err` says what in `workspace.json` is wrong: it does
/// not parse, or a record names an id no record has.
pub fn seed() -> Result<Store, String> {
    let sample = SAMPLE.as_ref().map_err(Clone::clone)?;
    let workspace = sample
        .app
        .get("id_code")
        .and_then(Value::as_str)
        .ok_or("workspace.json: the app has no id_code")?;
    if !sample.admins.iter().any(|admin| id_of(admin) == OWNER) {
        return Err(format!(
            "workspace.json: no admin has the owner's id {OWNER}"
        ));
    }
    let contacts = sample
        .contacts
        .iter()
        .map(|record| contact(record, workspace, sample))
        .collect::<Result<Vec<_>, _>>()?;
    let conversations = sample
        .conversations
        .iter()
        .map(|record| conversation(record, &sample.admins, &contacts))
        .collect::<Result<_, _>>()?;
    Ok(Store {
        app: sample.app.clone(),
        owner: OWNER.to_owned(),
        admins: sample.admins.clone(),
        teams: sample.teams.clone(),
        tags: sample.tags.clone(),
        companies: sample.companies.clone(),
        contacts,
        notes: Vec::new(),
        conversations,
        next_number: sample.next_number,
    })
}

fn contact(record: &SampleContact, workspace: &str, sample: &Sample) -> Result<Contact, String> {
    let links = [
        (&record.tags, &sample.tags),
        (&record.companies, &sample.companies),
    ];
    for (ids, known) in links {
        if let Some(unknown) = ids
            .iter()
            .find(|id| !known.iter().any(|item| id_of(item) == id.as_str()))
        {
            return Err(format!(
                "workspace.json: contact {} links to {unknown}, which no tag or company has",
                record.id
            ));
        }
    }
    let mut doc = blank(&record.id, workspace, "user", record.created_at);
    doc.extend(record.fields.clone());
    Ok(Contact {
        doc,
        tags: record.tags.clone(),
        notes: Vec::new(),
        companies: record.companies.clone(),
    })
}

fn conversation(
    record: &SampleConversation,
    admins: &[Value],
    contacts: &[Contact],
) -> Result<Conversation, String> {
    let unknown = |what: &str, id: &str| {
        format!(
            "workspace.json: conversation {} names {what} {id}, which no record has",
            record.id
        )
    };
    let starter = contacts
        .iter()
        .find(|contact| contact.id() == record.contact)
        .ok_or_else(|| unknown("the contact", &record.contact))?;
    let mut doc = opened(&record.id, record.created_at, starter, &record.source);
    doc.extend(record.fields.clone());
    let mut parts = Vec::new();
    for sample in &record.parts {
        let author = admins
            .iter()
            .find(|admin| id_of(admin) == sample.author)
            .map(admin_author)
            .or_else(|| {
                contacts
                    .iter()
                    .find(|contact| contact.id() == sample.author)
                    .map(|contact| contact_author(&contact.doc))
            })
            .ok_or_else(|| unknown("the author", &sample.author))?;
        parts.push(part(
            &sample.id,
            &sample.part_type,
            sample.body.clone(),
            sample.created_at,
            author,
            sample.assigned_to.clone(),
        ));
    }
    Ok(Conversation { doc, parts })
}

/// A conversation started by `contact` at `at`, every field at its quiet default; the
/// caller sets what differs.
fn opened(id: &str, at: i64, contact: &Contact, source: &Source) -> Map<String, Value> {
    let author = contact_author(&contact.doc);
    let source = json!({
        "type": source.kind,
        "id": format!("41{id}"),
        "delivered_as": "customer_initiated",
        "subject": source.subject,
        "body": source.body,
        "author": author,
        "attachments": [],
        "url": null,
        "redacted": false,
    });
    let reference = json!({
        "type": "contact",
        "id": contact.id(),
        "external_id": contact.doc.get("external_id"),
    });
    let Value::Object(doc) = json!({
        "type": "conversation",
        "id": id,
        "created_at": at,
        "updated_at": at,
        "waiting_since": at,
        "snoozed_until": null,
        "source": source,
        "contacts": {"type": "contact.list", "contacts": [reference]},
        "first_contact_reply": null,
        "admin_assignee_id": null,
        "team_assignee_id": null,
        "open": true,
        "state": "open",
        "read": false,
        "tags": {"type": "tag.list", "tags": []},
        "priority": "not_priority",
        "sla_applied": null,
        "statistics": null,
        "conversation_rating": null,
        "teammates": {"type": "admin.list", "teammates": []},
        "title": null,
        "custom_attributes": {},
        "topics": {},
        "ticket": null,
        "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": false},
        "ai_agent": null,
        "ai_agent_participated": false,
    }) else {
        return Map::new();
    };
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file loads, and every record it names by id is one of its records.
    #[test]
    fn the_sample_workspace_loads_whole() {
        let store = seed().unwrap();
        assert_eq!(
            (
                store.admins.len(),
                store.contacts.len(),
                store.companies.len(),
                store.tags.len(),
                store.conversations.len()
            ),
            (2, 8, 3, 4, 4)
        );
        let parts: usize = store.conversations.iter().map(|c| c.parts.len()).sum();
        assert_eq!(parts, 14);
    }
}
