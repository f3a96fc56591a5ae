//! The read operations over the store: `GET /me`, tags, companies, contacts and
//! conversations, one at a time, listed a page at a time, and searched.

use serde_json::{Value, json};

use super::pages::{self, Page};
use super::search;
use super::store::{Answer, Contact, Conversation, Failure, Store, find, object};

/// Page sizes when a request names none, as Intercom's.
const CONTACTS_PER_PAGE: usize = 50;
const CONVERSATIONS_PER_PAGE: usize = 20;
const COMPANIES_PER_PAGE: usize = 15;

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

    /// GET /admins: every admin, as the sample holds them.
    pub fn list_admins(&self) -> Answer {
        Ok(json!({"type": "admin.list", "admins": self.admins}))
    }

    /// GET /teams: the sample's team(s).
    pub fn list_teams(&self) -> Answer {
        Ok(json!({"type": "team.list", "teams": self.teams}))
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
