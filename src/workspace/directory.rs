//! The workspace directory: its admins, teams, tags and the token's owner, lean (the ids a write
//! needs, and the names and emails people know them by). Each list is kept per workspace for
//! [`FRESH_FOR`]; concurrent reads of one list share one request. Resources
//! (`crate::resources::directory`) and completions read it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use tokio::sync::Mutex;

use crate::error::ToolError;
use crate::intercom::Client;
use crate::response::respond;

/// How long a directory answer is reused: admins, teams and tags change rarely, and a model
/// looking ids up reads them several times in one task.
pub const FRESH_FOR: Duration = Duration::from_secs(60);

/// One list of the directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Admins,
    Teams,
    Tags,
    Me,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Admins, Kind::Teams, Kind::Tags, Kind::Me];

    /// The permission reading it needs, as Intercom's Developer Hub names it.
    pub fn scope(self) -> &'static str {
        match self {
            Kind::Tags => "Read tags",
            Kind::Admins | Kind::Teams | Kind::Me => "Read admins",
        }
    }

    fn slot(self) -> usize {
        match self {
            Kind::Admins => 0,
            Kind::Teams => 1,
            Kind::Tags => 2,
            Kind::Me => 3,
        }
    }

    /// Whether its request may be sent again after a transient failure: each is a GET that
    /// changes nothing.
    fn repeatable(self) -> bool {
        match self {
            Kind::Admins | Kind::Teams | Kind::Tags | Kind::Me => true,
        }
    }

    async fn fetch(self, client: &Client) -> Result<Value, ToolError> {
        let client = crate::intercom::retried(client, self.repeatable());
        let body = match self {
            Kind::Admins => respond(client.list_admins().send().await).await?,
            Kind::Teams => respond(client.list_teams().send().await).await?,
            Kind::Tags => respond(client.list_tags().send().await).await?,
            Kind::Me => respond(client.identify_admin().send().await).await?,
        };
        Ok(lean(self, &body))
    }
}

/// One resource's last answer: the token generation it was fetched with, when, and the value.
type Slot = Mutex<Option<(u64, Instant, Arc<Value>)>>;

/// One workspace's directory answers, each with when it was fetched.
#[derive(Default)]
pub struct Directory {
    /// One lock per resource, held across its fetch: a read that arrives while another is
    /// fetching waits for that answer instead of sending a second request.
    slots: [Slot; 4],
}

impl Directory {
    /// The lean answer, from the cache while it is fresh and the token unchanged (a rotated
    /// token may belong to another workspace); a failure is not kept.
    pub async fn read(&self, kind: Kind, client: &Client) -> Result<Arc<Value>, ToolError> {
        use progenitor_client::ClientInfo;
        let Some(slot) = self.slots.get(kind.slot()) else {
            return Err(ToolError::Request(format!(
                "no directory slot for {kind:?}"
            )));
        };
        let mut cached = slot.lock().await;
        let generation = client.inner().token.generation();
        if let Some((known, at, value)) = cached.as_ref()
            && *known == generation
            && at.elapsed() < FRESH_FOR
        {
            return Ok(Arc::clone(value));
        }
        let value = Arc::new(kind.fetch(client).await?);
        *cached = Some((generation, Instant::now(), Arc::clone(&value)));
        Ok(value)
    }
}

/// Intercom's answer → the few fields that find an id.
fn lean(kind: Kind, body: &Value) -> Value {
    let items = |key: &str| -> Vec<Value> {
        body.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    match kind {
        Kind::Admins => json!({"admins": items("admins").iter().map(admin).collect::<Vec<_>>()}),
        Kind::Teams => json!({"teams": items("teams").iter().map(team).collect::<Vec<_>>()}),
        Kind::Tags => {
            json!({"tags": items("data").iter().map(|tag| pick(tag, &["id", "name"])).collect::<Vec<_>>()})
        }
        Kind::Me => {
            let mut me = admin(body);
            if let (Value::Object(map), Some(app)) = (&mut me, body.get("app")) {
                let workspace = pick(app, &["id_code", "name"]);
                map.insert("workspace".to_owned(), workspace);
            }
            me
        }
    }
}

/// id, name, email; `away: true` only when away (left out means false, as in every lean
/// answer).
fn admin(item: &Value) -> Value {
    let mut out = pick(item, &["id", "name", "email"]);
    if item.get("away_mode_enabled") == Some(&Value::Bool(true))
        && let Value::Object(map) = &mut out
    {
        map.insert("away".to_owned(), Value::Bool(true));
    }
    out
}

/// id, name, and the members' admin ids as strings (the form admin_id takes).
fn team(item: &Value) -> Value {
    let mut out = pick(item, &["id", "name"]);
    let members: Vec<Value> = item
        .get("admin_ids")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|id| match id {
            Value::Number(number) => Value::String(number.to_string()),
            other => other.clone(),
        })
        .collect();
    if let Value::Object(map) = &mut out {
        map.insert("members".to_owned(), Value::Array(members));
    }
    out
}

fn pick(item: &Value, fields: &[&str]) -> Value {
    let mut out = Map::new();
    for field in fields {
        if let Some(value) = item.get(*field).filter(|value| !value.is_null()) {
            out.insert((*field).to_owned(), value.clone());
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lean_forms_keep_ids_names_emails_and_away() {
        let admins = json!({"type": "admin.list", "admins": [
            {"type": "admin", "id": "1", "name": "A", "email": "a@x", "away_mode_enabled": true,
             "job_title": "x", "team_ids": [5]},
            {"type": "admin", "id": "2", "name": "B", "email": "b@x", "away_mode_enabled": false}
        ]});
        assert_eq!(
            lean(Kind::Admins, &admins),
            json!({"admins": [{"id": "1", "name": "A", "email": "a@x", "away": true},
                              {"id": "2", "name": "B", "email": "b@x"}]})
        );
        let teams =
            json!({"teams": [{"type": "team", "id": "5", "name": "T", "admin_ids": [1, 2]}]});
        assert_eq!(
            lean(Kind::Teams, &teams),
            json!({"teams": [{"id": "5", "name": "T", "members": ["1", "2"]}]})
        );
    }
}
