//! Contact writes: create, update, notes and tags, with the checks Intercom makes (a contact
//! needs an email, external_id or role; emails and external ids are unique; owners are
//! admins).

use serde_json::{Map, Value, json};

use super::html::html_body;
use super::records::blank;
use super::store::{Answer, Contact, Failure, Store, id_text, now, object};

/// The fields a create or update may set, and what each must be.
enum Field {
    Text,
    Time,
    Flag,
    Attributes,
    Owner,
    Role,
}

fn field(name: &str) -> Option<Field> {
    Some(match name {
        "email" | "external_id" | "phone" | "name" | "avatar" => Field::Text,
        "signed_up_at" | "last_seen_at" => Field::Time,
        "unsubscribed_from_emails" => Field::Flag,
        "custom_attributes" => Field::Attributes,
        "owner_id" => Field::Owner,
        "role" => Field::Role,
        _ => return None,
    })
}

impl Store {
    pub fn create_contact(&mut self, body: &Value) -> Answer {
        let body = object(body)?;
        let given = |key: &str| body.get(key).is_some_and(|value| !value.is_null());
        if !(given("email") || given("external_id") || given("role")) {
            return Err(Failure::invalid(
                "A new contact needs at least one of email, external_id or role",
            ));
        }
        let created_at = now();
        self.next_number += 1;
        // Shaped like Intercom's ids: 24 hex digits, the first 8 a time.
        let id = format!("{:08x}{:016x}", created_at, self.next_number);
        let workspace = self.workspace_id();
        let mut doc = blank(&id, &workspace, "user", created_at);
        self.check_and_apply(None, &mut doc, body)?;
        let contact = Contact {
            doc,
            tags: Vec::new(),
            notes: Vec::new(),
            companies: Vec::new(),
        };
        let rendered = contact.render();
        self.contacts.push(contact);
        Ok(rendered)
    }

    pub fn update_contact(&mut self, id: &str, body: &Value) -> Answer {
        let body = object(body)?;
        let mut doc = self.contact(id)?.doc.clone();
        self.check_and_apply(Some(id), &mut doc, body)?;
        doc.insert("updated_at".to_owned(), json!(now()));
        let contact = self.contact_mut(id)?;
        contact.doc = doc;
        Ok(contact.render())
    }

    pub fn add_note(&mut self, contact_id: &str, body: &Value) -> Answer {
        let body = object(body)?;
        self.contact(contact_id)?;
        let text = body
            .get("body")
            .and_then(Value::as_str)
            .filter(|text| !text.trim().is_empty())
            .ok_or_else(|| Failure::invalid("A note needs a `body`"))?;
        let owner = json!(self.owner);
        let author = self.acting_admin(Some(body.get("admin_id").unwrap_or(&owner)))?;
        let id = self.number();
        let note = json!({
            "type": "note",
            "id": id,
            "created_at": now(),
            "contact": {"type": "contact", "id": contact_id},
            "author": author,
            "body": html_body(text),
        });
        self.notes.push(note.clone());
        self.contact_mut(contact_id)?.notes.push(id);
        Ok(note)
    }

    pub fn tag_contact(&mut self, contact_id: &str, body: &Value) -> Answer {
        let body = object(body)?;
        self.contact(contact_id)?;
        let tag_id =
            id_text(body.get("id")).ok_or_else(|| Failure::invalid("Give the tag's `id`"))?;
        let tag = self
            .tags
            .iter()
            .find(|tag| tag.get("id").and_then(Value::as_str) == Some(&tag_id))
            .cloned()
            .ok_or_else(|| Failure::not_found("tag", &tag_id))?;
        let contact = self.contact_mut(contact_id)?;
        if !contact.tags.contains(&tag_id) {
            contact.tags.push(tag_id);
            contact.doc.insert("updated_at".to_owned(), json!(now()));
        }
        Ok(tag)
    }

    fn workspace_id(&self) -> String {
        self.app
            .get("id_code")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    /// Checks every given field, then sets them on `doc`; `own_id` is the contact being
    /// updated, which may keep its own email and external id.
    fn check_and_apply(
        &self,
        own_id: Option<&str>,
        doc: &mut Map<String, Value>,
        body: &Map<String, Value>,
    ) -> Result<(), Failure> {
        for (name, value) in body {
            let kind = field(name).ok_or_else(|| {
                Failure::invalid(format!("{name:?} is not a contact field that can be set"))
            })?;
            let fits = match kind {
                Field::Text => value.is_string() || value.is_null(),
                Field::Time => value.is_i64() || value.is_null(),
                Field::Flag => value.is_boolean() || value.is_null(),
                Field::Attributes => value.is_object() || value.is_null(),
                Field::Owner => {
                    value.is_null()
                        || id_text(Some(value)).is_some_and(|id| self.admin(&id).is_some())
                }
                Field::Role => matches!(value.as_str(), Some("user" | "lead")),
            };
            if !fits {
                let wanted = match kind {
                    Field::Text => "a string",
                    Field::Time => "unix seconds",
                    Field::Flag => "true or false",
                    Field::Attributes => "an object",
                    Field::Owner => "the id of an admin of this workspace",
                    Field::Role => "user or lead",
                };
                return Err(Failure::invalid(format!(
                    "{name} must be {wanted}, got {value}"
                )));
            }
        }
        self.check_unique(own_id, body, "email")?;
        self.check_unique(own_id, body, "external_id")?;
        for (name, value) in body {
            apply(doc, name, value);
        }
        Ok(())
    }

    fn check_unique(
        &self,
        own_id: Option<&str>,
        body: &Map<String, Value>,
        key: &str,
    ) -> Result<(), Failure> {
        let Some(wanted) = body
            .get(key)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
        else {
            return Ok(());
        };
        let taken = self.contacts.iter().find(|contact| {
            Some(contact.id()) != own_id
                && contact
                    .doc
                    .get(key)
                    .and_then(Value::as_str)
                    .is_some_and(|theirs| theirs.eq_ignore_ascii_case(wanted))
        });
        match taken {
            Some(contact) => Err(Failure::new(
                409,
                "conflict",
                format!(
                    "A contact with {key} {wanted:?} exists already: id {}",
                    contact.id()
                ),
            )),
            None => Ok(()),
        }
    }
}

/// Sets one checked field, with what Intercom derives from it.
fn apply(doc: &mut Map<String, Value>, name: &str, value: &Value) {
    match name {
        "email" => {
            let domain = value
                .as_str()
                .and_then(|email| email.rsplit_once('@'))
                .map(|(_, domain)| domain.to_ascii_lowercase());
            doc.insert("email_domain".to_owned(), json!(domain));
            doc.insert(name.to_owned(), value.clone());
        }
        "phone" => {
            let formatted = value.as_str().filter(|phone| phone.starts_with('+'));
            doc.insert("formatted_phone".to_owned(), json!(formatted));
            doc.insert(name.to_owned(), value.clone());
        }
        "avatar" => {
            let avatar = value
                .as_str()
                .map(|url| json!({"type": "avatar", "image_url": url}));
            doc.insert(name.to_owned(), json!(avatar));
        }
        "owner_id" => {
            let owner = id_text(Some(value)).and_then(|id| id.parse::<i64>().ok());
            doc.insert(name.to_owned(), json!(owner));
        }
        "unsubscribed_from_emails" => {
            doc.insert(name.to_owned(), json!(value.as_bool().unwrap_or(false)));
        }
        "custom_attributes" => {
            // Given attributes are set (null clears one); the others stay.
            if let (Some(Value::Object(current)), Value::Object(given)) = (doc.get_mut(name), value)
            {
                for (key, value) in given {
                    current.insert(key.clone(), value.clone());
                }
            }
        }
        _ => {
            doc.insert(name.to_owned(), value.clone());
        }
    }
}
