//! The workspace's state and what every operation shares: records as Intercom's JSON, ids,
//! time, lookups, the error answers, and searching and listing over records. Contact and
//! conversation writes live in `contacts.rs` and `conversations.rs`.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::pages::{self, Page};
use super::search;

/// At most this many items of a contact's tags, notes or companies come inside the contact.
const SUB_LIST_CAP: usize = 10;
/// A conversation shows at most this many parts, as Intercom's does.
const PART_CAP: usize = 500;
/// Page sizes when a request names none, as Intercom's.
const CONTACTS_PER_PAGE: usize = 50;
const CONVERSATIONS_PER_PAGE: usize = 20;
const COMPANIES_PER_PAGE: usize = 15;

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

fn find<'a>(records: &'a [Value], id: &str) -> Option<&'a Value> {
    records.iter().find(|record| id_of(record) == id)
}

/// Text for HTML bodies: plain text becomes one paragraph, as Intercom stores it.
pub fn html_body(text: &str) -> String {
    if text.contains('<') && text.contains('>') {
        text.to_owned()
    } else {
        let escaped = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        format!("<p>{escaped}</p>")
    }
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
    fn search_view(&self) -> Value {
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
    fn search_view(&self) -> Value {
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
        *body = search::plain_text(body);
    }
}

/// A search request's query and pagination, run over `(view, item)` pairs: the view is what
/// the query sees, the item what the answer shows.
fn search(
    records: Vec<(Value, Value)>,
    body: &Value,
    default_per_page: usize,
) -> Result<Page, Failure> {
    let body = object(body)?;
    let query = body
        .get("query")
        .ok_or_else(|| Failure::invalid("A search needs a `query`"))?;
    let query = search::parse(query).map_err(Failure::invalid)?;
    let pagination = body.get("pagination").filter(|p| !p.is_null());
    if pagination.is_some_and(|p| !p.is_object()) {
        return Err(Failure::invalid("`pagination` must be an object"));
    }
    let per_page = pages::per_page(pagination.and_then(|p| p.get("per_page")), default_per_page)
        .map_err(Failure::invalid)?;
    let after = match pagination.and_then(|p| p.get("starting_after")) {
        None | Some(Value::Null) => None,
        Some(Value::String(cursor)) => Some(cursor.as_str()),
        Some(_) => {
            return Err(Failure::invalid(
                "`pagination.starting_after` must be a string",
            ));
        }
    };
    let found: Vec<Value> = records
        .into_iter()
        .filter(|(view, _)| query.matches(view))
        .map(|(_, item)| item)
        .collect();
    pages::by_cursor(found, per_page, after).map_err(Failure::invalid)
}

/// The paging parameters of a list's query string, as given.
pub struct ListParams {
    pub per_page: Option<String>,
    pub starting_after: Option<String>,
    pub page: Option<String>,
    pub order: Option<String>,
}

fn list_page(
    items: Vec<Value>,
    params: &ListParams,
    default_per_page: usize,
) -> Result<Page, Failure> {
    let per_page = pages::per_page(
        params.per_page.clone().map(Value::String).as_ref(),
        default_per_page,
    )
    .map_err(Failure::invalid)?;
    pages::by_cursor(items, per_page, params.starting_after.as_deref()).map_err(Failure::invalid)
}

fn contact_list(page: Page) -> Value {
    json!({
        "type": "list",
        "data": page.items,
        "total_count": page.total,
        "pages": page.pages,
    })
}

/// Conversation lists name their items `conversations`, not `data`.
fn conversation_list(page: Page) -> Value {
    json!({
        "type": "conversation.list",
        "pages": page.pages,
        "total_count": page.total,
        "conversations": page.items,
    })
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

    pub fn me(&self) -> Answer {
        let mut me = self
            .admin(&self.owner)
            .cloned()
            .ok_or_else(|| Failure::not_found("admin", &self.owner))?;
        if let Value::Object(map) = &mut me {
            if let Some(Value::Object(avatar)) = map.get_mut("avatar") {
                avatar.insert("type".to_owned(), json!("avatar"));
            }
            map.insert("email_verified".to_owned(), json!(true));
            map.insert("app".to_owned(), self.app.clone());
        }
        Ok(me)
    }

    pub fn list_tags(&self) -> Answer {
        Ok(json!({"type": "list", "data": self.tags}))
    }

    pub fn get_company(&self, id: &str) -> Answer {
        find(&self.companies, id).cloned().ok_or_else(|| {
            Failure::new(
                404,
                "company_not_found",
                format!("No company has the id {id:?}"),
            )
        })
    }

    /// Companies by page number, most recently active first unless `order` is `asc`.
    pub fn list_companies(&self, params: &ListParams) -> Answer {
        let per_page = pages::per_page(
            params.per_page.clone().map(Value::String).as_ref(),
            COMPANIES_PER_PAGE,
        )
        .map_err(Failure::invalid)?;
        let page = match params.page.as_deref().map(str::trim) {
            None | Some("") => 1,
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|page| *page >= 1)
                .ok_or_else(|| {
                    Failure::invalid(format!("page must be a whole number from 1, got {text:?}"))
                })?,
        };
        let mut companies = self.companies.clone();
        let active = |company: &Value| company.get("last_request_at").and_then(Value::as_i64);
        match params.order.as_deref() {
            None | Some("desc") => {
                companies.sort_by_key(|company| std::cmp::Reverse(active(company)))
            }
            Some("asc") => companies.sort_by_key(active),
            Some(other) => {
                return Err(Failure::invalid(format!(
                    "order must be asc or desc, got {other:?}"
                )));
            }
        }
        let page = pages::by_number(companies, page, per_page);
        Ok(json!({
            "type": "list",
            "data": page.items,
            "pages": page.pages,
            "total_count": page.total,
        }))
    }

    pub fn list_contacts(&self, params: &ListParams) -> Answer {
        let items = self.contacts.iter().map(Contact::render).collect();
        Ok(contact_list(list_page(items, params, CONTACTS_PER_PAGE)?))
    }

    pub fn search_contacts(&self, body: &Value) -> Answer {
        let records = self
            .contacts
            .iter()
            .map(|contact| (contact.search_view(), contact.render()))
            .collect();
        Ok(contact_list(search(records, body, CONTACTS_PER_PAGE)?))
    }

    pub fn get_contact(&self, id: &str) -> Answer {
        Ok(self.contact(id)?.render())
    }

    /// Conversations, most recently updated first.
    fn conversations_by_update(&self) -> Vec<&Conversation> {
        let mut all: Vec<&Conversation> = self.conversations.iter().collect();
        all.sort_by_key(|conversation| {
            std::cmp::Reverse(conversation.doc.get("updated_at").and_then(Value::as_i64))
        });
        all
    }

    pub fn list_conversations(&self, params: &ListParams) -> Answer {
        let items = self
            .conversations_by_update()
            .into_iter()
            .map(Conversation::item)
            .collect();
        Ok(conversation_list(list_page(
            items,
            params,
            CONVERSATIONS_PER_PAGE,
        )?))
    }

    pub fn search_conversations(&self, body: &Value) -> Answer {
        let records = self
            .conversations_by_update()
            .into_iter()
            .map(|conversation| (conversation.search_view(), conversation.item()))
            .collect();
        Ok(conversation_list(search(
            records,
            body,
            CONVERSATIONS_PER_PAGE,
        )?))
    }

    pub fn get_conversation(&self, id: &str, plaintext: bool) -> Answer {
        self.conversations
            .iter()
            .find(|conversation| conversation.id() == id)
            .map(|conversation| conversation.render(plaintext))
            .ok_or_else(|| Failure::not_found("conversation", id))
    }

    /// The conversation updated last, among those `contact_id` takes part in when given:
    /// what `last` means in place of a conversation id.
    pub fn last_conversation(&self, contact_id: Option<&str>) -> Option<String> {
        self.conversations_by_update()
            .into_iter()
            .find(|conversation| contact_id.is_none_or(|wanted| conversation.has_contact(wanted)))
            .map(|conversation| conversation.id().to_owned())
    }
}
