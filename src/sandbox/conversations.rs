//! Conversation writes: replies (an admin's comment or note, a contact's comment) and the
//! state changes of `/parts` (close, assignment, snooze, open). Each adds a part and changes
//! the fields later reads show: state, assignees, teammates, waiting time, statistics.

use serde_json::{Map, Value, json};

use super::html::html_body;
use super::records::{admin_author, contact_author, part};
use super::store::{Answer, Failure, Store, id_of, id_text, now, object};

/// What a write does to the conversation besides adding its part.
enum Effect {
    /// An admin's comment: the customer has an answer.
    AdminComment,
    /// A teammate wrote something only teammates see.
    Quiet,
    /// The contact wrote: the conversation opens and waits for an answer.
    ContactComment,
    Close,
    Open,
    Snooze(i64),
    AssignAdmin(Option<i64>),
    AssignTeam(Option<i64>),
}

/// An optional text field of a request body.
fn text(body: &Map<String, Value>, key: &str) -> Result<Option<String>, Failure> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(Failure::invalid(format!(
            "`{key}` must be a string, got {other}"
        ))),
    }
}

impl Store {
    pub fn reply(&mut self, conversation_id: &str, body: &Value) -> Answer {
        let body = object(body)?;
        let message = text(body, "body")?.filter(|text| !text.trim().is_empty());
        let message_type = text(body, "message_type")?;
        let (author, effect, contact_id) = match text(body, "type")?.as_deref() {
            Some("admin") => {
                let admin = self.acting_admin(body.get("admin_id"))?;
                let effect = match message_type.as_deref() {
                    Some("comment") => Effect::AdminComment,
                    Some("note") => Effect::Quiet,
                    _ => {
                        return Err(Failure::invalid(
                            "An admin's `message_type` is comment or note",
                        ));
                    }
                };
                (admin_author(&admin), effect, None)
            }
            Some("user") => {
                if message_type
                    .as_deref()
                    .is_some_and(|kind| kind != "comment")
                {
                    return Err(Failure::invalid("A contact's `message_type` is comment"));
                }
                let contact = self.replying_contact(body)?;
                let id = contact
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                (
                    contact_author(&contact),
                    Effect::ContactComment,
                    Some(id.to_owned()),
                )
            }
            _ => return Err(Failure::invalid("`type` must be admin or user")),
        };
        let message = message.ok_or_else(|| Failure::invalid("A reply needs a `body`"))?;
        let part_type = match effect {
            Effect::Quiet => "note",
            _ => "comment",
        };
        let id = match conversation_id {
            "last" => self
                .last_conversation(contact_id.as_deref())
                .ok_or_else(|| Failure::not_found("conversation", "last"))?,
            id => id.to_owned(),
        };
        let at = body
            .get("created_at")
            .and_then(Value::as_i64)
            .unwrap_or_else(now);
        let mut added = part(
            &self.number(),
            part_type,
            Some(html_body(&message)),
            at,
            author,
            Value::Null,
        );
        if let (Some(Value::Array(urls)), Value::Object(map)) =
            (body.get("attachment_urls"), &mut added)
        {
            let attachments: Vec<Value> = urls
                .iter()
                .filter_map(Value::as_str)
                .map(attachment)
                .collect();
            map.insert("attachments".to_owned(), json!(attachments));
        }
        self.write(&id, added, effect, contact_id.as_deref())
    }

    pub fn manage(&mut self, conversation_id: &str, body: &Value) -> Answer {
        let body = object(body)?;
        let admin = self.acting_admin(body.get("admin_id"))?;
        let message = text(body, "body")?
            .filter(|text| !text.trim().is_empty())
            .map(|text| html_body(&text));
        let (part_type, effect, assigned_to) = match text(body, "message_type")?.as_deref() {
            Some("close") => ("close", Effect::Close, Value::Null),
            Some("open") => ("open", Effect::Open, Value::Null),
            Some("snoozed") => {
                let until = body
                    .get("snoozed_until")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| {
                        Failure::invalid("Snoozing needs `snoozed_until` (unix seconds)")
                    })?;
                ("snoozed", Effect::Snooze(until), Value::Null)
            }
            Some("assignment") => {
                let (effect, assigned_to) = self.assignment(body)?;
                ("assignment", effect, assigned_to)
            }
            _ => {
                return Err(Failure::invalid(
                    "`message_type` must be close, assignment, snoozed or open",
                ));
            }
        };
        let added = part(
            &self.number(),
            part_type,
            message,
            now(),
            admin_author(&admin),
            assigned_to,
        );
        self.write(conversation_id, added, effect, None)
    }

    /// The assignee of an assignment, checked; `"0"` unassigns.
    fn assignment(&self, body: &Map<String, Value>) -> Result<(Effect, Value), Failure> {
        let assignee = id_text(body.get("assignee_id"))
            .ok_or_else(|| Failure::invalid("An assignment needs `assignee_id`"))?;
        let number = assignee.parse::<i64>().ok();
        match (text(body, "type")?.as_deref(), assignee.as_str()) {
            (Some("admin"), "0") => Ok((
                Effect::AssignAdmin(None),
                json!({"type": "nobody_admin", "id": null}),
            )),
            (Some("team"), "0") => Ok((
                Effect::AssignTeam(None),
                json!({"type": "nobody_admin", "id": null}),
            )),
            // Admin and team assignees read alike; the lookup, effect and error code differ.
            (Some("admin"), id) => match self.admin(id) {
                Some(_) => Ok((
                    Effect::AssignAdmin(number),
                    json!({"type": "admin", "id": id}),
                )),
                None => Err(Failure::new(
                    404,
                    "assignee_not_found",
                    format!("No admin has the id {id:?}"),
                )),
            },
            (Some("team"), id) => match self.team(id) {
                Some(_) => Ok((
                    Effect::AssignTeam(number),
                    json!({"type": "team", "id": id}),
                )),
                None => Err(Failure::new(
                    404,
                    "team_not_found",
                    format!("No team has the id {id:?}"),
                )),
            },
            _ => Err(Failure::invalid("An assignment's `type` is admin or team")),
        }
    }

    /// The contact a contact reply names by `intercom_user_id`, `user_id` or `email`.
    fn replying_contact(&self, body: &Map<String, Value>) -> Result<Map<String, Value>, Failure> {
        let (key, wanted) = [
            ("intercom_user_id", "id"),
            ("user_id", "external_id"),
            ("email", "email"),
        ]
        .into_iter()
        .find_map(|(given, field)| id_text(body.get(given)).map(|value| (field, value)))
        .ok_or_else(|| {
            Failure::invalid("A contact's reply names them by intercom_user_id, user_id or email")
        })?;
        self.contacts
            .iter()
            .find(|contact| {
                contact
                    .doc
                    .get(key)
                    .and_then(Value::as_str)
                    .is_some_and(|theirs| theirs.eq_ignore_ascii_case(&wanted))
            })
            .map(|contact| contact.doc.clone())
            .ok_or_else(|| Failure::not_found("contact", &wanted))
    }

    /// Adds `added` to the conversation, applies `effect`, and returns the conversation.
    fn write(&mut self, id: &str, added: Value, effect: Effect, replier: Option<&str>) -> Answer {
        let at = added
            .get("created_at")
            .and_then(Value::as_i64)
            .unwrap_or_else(now);
        let author = added.get("author").cloned().unwrap_or_default();
        let conversation = self.conversation_mut(id)?;
        let contacts: Vec<String> = conversation
            .doc
            .get("contacts")
            .and_then(|list| list.get("contacts"))
            .and_then(Value::as_array)
            .map(|items| items.iter().map(|item| id_of(item).to_owned()).collect())
            .unwrap_or_default();
        let doc = &mut conversation.doc;
        // A backdated part (`created_at`) still counts as activity now.
        put(doc, "updated_at", json!(now().max(at)));
        match effect {
            Effect::AdminComment => {
                put(doc, "read", json!(true));
                put(doc, "waiting_since", Value::Null);
            }
            Effect::Quiet => {}
            Effect::ContactComment => {
                put(doc, "state", json!("open"));
                put(doc, "open", json!(true));
                put(doc, "read", json!(false));
                put(doc, "snoozed_until", Value::Null);
                if doc.get("waiting_since").is_none_or(Value::is_null) {
                    put(doc, "waiting_since", json!(at));
                }
                if doc.get("first_contact_reply").is_none_or(Value::is_null) {
                    let channel = doc
                        .get("source")
                        .and_then(|source| source.get("type"))
                        .cloned();
                    let first = json!({"created_at": at, "type": channel, "url": null});
                    put(doc, "first_contact_reply", first);
                }
            }
            Effect::Close => {
                put(doc, "state", json!("closed"));
                put(doc, "open", json!(false));
                put(doc, "snoozed_until", Value::Null);
                put(doc, "waiting_since", Value::Null);
            }
            Effect::Open => {
                put(doc, "state", json!("open"));
                put(doc, "open", json!(true));
                put(doc, "snoozed_until", Value::Null);
            }
            Effect::Snooze(until) => {
                put(doc, "state", json!("snoozed"));
                put(doc, "open", json!(true));
                put(doc, "snoozed_until", json!(until));
            }
            Effect::AssignAdmin(admin) => put(doc, "admin_assignee_id", json!(admin)),
            Effect::AssignTeam(team) => put(doc, "team_assignee_id", json!(team)),
        }
        if author.get("type").and_then(Value::as_str) == Some("admin") {
            add_teammate(doc, &author);
        }
        statistics(doc, &effect, at, &author);
        conversation.parts.push(added);
        let rendered = conversation.render(false);
        // The contacts' own record of who last wrote to whom.
        let touched = match effect {
            Effect::AdminComment => Some(("last_contacted_at", contacts)),
            Effect::ContactComment => Some((
                "last_replied_at",
                replier.map(str::to_owned).into_iter().collect(),
            )),
            _ => None,
        };
        if let Some((field, ids)) = touched {
            for contact in self
                .contacts
                .iter_mut()
                .filter(|contact| ids.iter().any(|id| id == contact.id()))
            {
                contact.doc.insert(field.to_owned(), json!(at));
            }
        }
        Ok(rendered)
    }
}

fn put(doc: &mut Map<String, Value>, key: &str, value: Value) {
    doc.insert(key.to_owned(), value);
}

fn attachment(url: &str) -> Value {
    let name = url.rsplit('/').next().unwrap_or(url);
    json!({"type": "upload", "name": name, "url": url, "content_type": "application/octet-stream", "filesize": 0})
}

/// The admin joins the teammates who took part.
fn add_teammate(doc: &mut Map<String, Value>, author: &Value) {
    let reference = json!({"type": "admin", "id": author.get("id")});
    let teammates = doc.entry("teammates").or_insert(Value::Null);
    if teammates.is_null() {
        *teammates = json!({"type": "admin.list", "teammates": []});
    }
    if let Some(Value::Array(list)) = teammates.get_mut("teammates")
        && !list.contains(&reference)
    {
        list.push(reference);
    }
}

/// Keeps the counters and times of `statistics` that a write changes.
fn statistics(doc: &mut Map<String, Value>, effect: &Effect, at: i64, author: &Value) {
    let stats = doc.entry("statistics").or_insert(Value::Null);
    if stats.is_null() {
        *stats = json!({"type": "conversation_statistics"});
    }
    let Value::Object(stats) = stats else { return };
    let mut first_and_last = |first: &str, last: &str| {
        stats.entry(first.to_owned()).or_insert_with(|| json!(at));
        stats.insert(last.to_owned(), json!(at));
    };
    match effect {
        Effect::AdminComment => first_and_last("first_admin_reply_at", "last_admin_reply_at"),
        Effect::ContactComment => first_and_last("first_contact_reply_at", "last_contact_reply_at"),
        Effect::Close => {
            first_and_last("first_close_at", "last_close_at");
            let closer = id_text(author.get("id")).unwrap_or_default();
            stats.insert("last_closed_by_id".to_owned(), json!(closer));
        }
        Effect::AssignAdmin(_) | Effect::AssignTeam(_) => {
            first_and_last("first_assignment_at", "last_assignment_at");
            let count = stats
                .get("count_assignments")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            stats.insert("count_assignments".to_owned(), json!(count + 1));
        }
        Effect::Quiet | Effect::Open | Effect::Snooze(_) => {}
    }
    let parts = stats
        .get("count_conversation_parts")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    stats.insert("count_conversation_parts".to_owned(), json!(parts + 1));
}
