//! The workspace's state and what every operation shares: records as Intercom's JSON, ids,
//! time, lookups, and the error answers. Reads, lists and searches live in `reads.rs`;
//! contact and conversation writes in `contacts.rs` and `conversations.rs`.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::html::plain_text;

/// At most this many items of a contact's tags, notes or companies come inside the contact.
const SUB_LIST_CAP: usize = 10;
/// A conversation shows at most this many parts, as Intercom's does.
const PART_CAP: usize = 500;

/// An error answer: HTTP status, Intercom's code, and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Failure {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "parameter_invalid", message)
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(404, "not_found", format!("No {what} has the id {id:?}"))
    }
}

pub type Answer = Result<Value, Failure>;

/// A contact: its fields as Intercom returns them, and its links to tags, notes and
/// companies, which are rendered as sub-lists when it is read.
pub struct Contact {
    pub doc: Map<String, Value>,
    pub tags: Vec<String>,
    /// Oldest first.
    pub notes: Vec<String>,
    pub companies: Vec<String>,
}

/// A conversation: its fields as Intercom returns them, and its parts, oldest first.
pub struct Conversation {
    pub doc: Map<String, Value>,
    pub parts: Vec<Value>,
}

pub struct Store {
    /// The workspace, as `GET /me` shows it.
    pub app: Value,
    /// The admin who owns the sandbox token.
    pub owner: String,
    /// Admins as the `admin` schema has them.
    pub admins: Vec<Value>,
    pub teams: Vec<Value>,
    pub tags: Vec<Value>,
    pub companies: Vec<Value>,
    pub contacts: Vec<Contact>,
    /// Every note, as created; a contact's own record holds references to them.
    pub notes: Vec<Value>,
    pub conversations: Vec<Conversation>,
    /// Numbers ids of new notes and conversation parts.
    pub next_number: u64,
}

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

pub fn id_of(doc: &Value) -> &str {
    doc.get("id").and_then(Value::as_str).unwrap_or_default()
}

pub(super) fn find<'a>(records: &'a [Value], id: &str) -> Option<&'a Value> {
    records.iter().find(|record| id_of(record) == id)
}

/// An id as text, whether it came as a string or a number.
pub fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A request body that must be a JSON object.
pub fn object(body: &Value) -> Result<&Map<String, Value>, Failure> {
    body.as_object()
        .ok_or_else(|| Failure::invalid("The request body must be a JSON object"))
}

impl Contact {
    pub fn id(&self) -> &str {
        self.doc
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The contact as Intercom returns it, sub-lists included (notes newest first).
    pub fn render(&self) -> Value {
        let id = self.id();
        let mut doc = self.doc.clone();
        let tags = refs("tag", "tags", self.tags.iter());
        let notes = refs("note", "notes", self.notes.iter().rev());
        let companies = refs("company", "companies", self.companies.iter());
        doc.insert("tags".to_owned(), sub_list(id, "tags", tags));
        doc.insert("notes".to_owned(), sub_list(id, "notes", notes));
        doc.insert("companies".to_owned(), sub_list(id, "companies", companies));
        Value::Object(doc)
    }

    /// The contact with the fields a search knows besides its own: `tag_id` (any of its
    /// tags) and `segment_id` (none: the sandbox has no segments).
    pub(super) fn search_view(&self) -> Value {
        let mut view = self.render();
        if let Value::Object(map) = &mut view {
            map.insert("tag_id".to_owned(), json!(self.tags));
            map.insert("segment_id".to_owned(), json!([]));
        }
        view
    }
}

/// References to records, as a contact's sub-lists hold them.
fn refs<'a>(kind: &str, path: &str, ids: impl Iterator<Item = &'a String>) -> Vec<Value> {
    ids.map(|id| json!({"type": kind, "id": id, "url": format!("/{path}/{id}")}))
        .collect()
}

fn sub_list(contact_id: &str, name: &str, items: Vec<Value>) -> Value {
    let total = items.len();
    let shown: Vec<Value> = items.into_iter().take(SUB_LIST_CAP).collect();
    json!({
        "type": "list",
        "data": shown,
        "url": format!("/contacts/{contact_id}/{name}"),
        "total_count": total,
        "has_more": total > SUB_LIST_CAP,
    })
}

impl Conversation {
    pub fn id(&self) -> &str {
        self.doc
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// As lists and searches show it: without parts.
    pub fn item(&self) -> Value {
        Value::Object(self.doc.clone())
    }

    /// As `GET /conversations/{id}` shows it: with its parts, bodies as HTML or plain text.
    pub fn render(&self, plaintext: bool) -> Value {
        let mut doc = self.doc.clone();
        let mut parts: Vec<Value> = self.parts.iter().take(PART_CAP).cloned().collect();
        if plaintext {
            if let Some(source) = doc.get_mut("source") {
                to_plain_text(source);
            }
            parts.iter_mut().for_each(to_plain_text);
        }
        doc.insert(
            "conversation_parts".to_owned(),
            json!({
                "type": "conversation_part.list",
                "conversation_parts": parts,
                "total_count": self.parts.len(),
            }),
        );
        Value::Object(doc)
    }

    /// The conversation with the list fields a search knows: `contact_ids`, `tag_ids`,
    /// `teammate_ids`.
    pub(super) fn search_view(&self) -> Value {
        let mut view = self.item();
        if let Value::Object(map) = &mut view {
            map.insert("contact_ids".to_owned(), self.ids("contacts", "contacts"));
            map.insert("tag_ids".to_owned(), self.ids("tags", "tags"));
            map.insert(
                "teammate_ids".to_owned(),
                self.ids("teammates", "teammates"),
            );
        }
        view
    }

    /// The ids in a list wrapper such as `contacts: {type, contacts: [{id}, …]}`.
    fn ids(&self, wrapper: &str, list: &str) -> Value {
        let ids: Vec<Value> = self
            .doc
            .get(wrapper)
            .and_then(|wrapper| wrapper.get(list))
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.get("id").cloned())
                    .collect()
            })
            .unwrap_or_default();
        Value::Array(ids)
    }

    pub fn has_contact(&self, contact_id: &str) -> bool {
        self.ids("contacts", "contacts")
            .as_array()
            .is_some_and(|ids| ids.iter().any(|id| id.as_str() == Some(contact_id)))
    }
}

fn to_plain_text(part: &mut Value) {
    if let Some(Value::String(body)) = part.get_mut("body") {
        *body = plain_text(body);
    }
}

impl Store {
    pub fn admin(&self, id: &str) -> Option<&Value> {
        find(&self.admins, id)
    }

    pub fn team(&self, id: &str) -> Option<&Value> {
        find(&self.teams, id)
    }

    /// The admin a write acts as, or Intercom's `admin_not_found`.
    pub fn acting_admin(&self, id: Option<&Value>) -> Result<Value, Failure> {
        let id = id_text(id).ok_or_else(|| Failure::invalid("`admin_id` is required"))?;
        self.admin(&id).cloned().ok_or_else(|| {
            Failure::new(
                404,
                "admin_not_found",
                format!("No admin has the id {id:?}"),
            )
        })
    }

    pub fn contact(&self, id: &str) -> Result<&Contact, Failure> {
        self.contacts
            .iter()
            .find(|contact| contact.id() == id)
            .ok_or_else(|| Failure::not_found("contact", id))
    }

    pub fn contact_mut(&mut self, id: &str) -> Result<&mut Contact, Failure> {
        self.contacts
            .iter_mut()
            .find(|contact| contact.id() == id)
            .ok_or_else(|| Failure::not_found("contact", id))
    }

    pub fn conversation_mut(&mut self, id: &str) -> Result<&mut Conversation, Failure> {
        self.conversations
            .iter_mut()
            .find(|conversation| conversation.id() == id)
            .ok_or_else(|| Failure::not_found("conversation", id))
    }

    /// A fresh number for a note or conversation part id.
    pub fn number(&mut self) -> String {
        self.next_number += 1;
        self.next_number.to_string()
    }
}
