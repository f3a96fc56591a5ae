//! The admin a reply, close, assignment or note acts as when the call names none:
//! INTERCOM_ADMIN_ID when set, else the admin who owns the token (GET /me), fetched once per
//! token and forgotten when the token changes.

use serde_json::Value;
use tokio::sync::Mutex;

use crate::error::ToolError;
use crate::intercom::{Client, TokenCell};

pub struct DefaultAdmin {
    configured: Option<String>,
    token: TokenCell,
    /// (token generation, admin id). The lock is held across the fetch, so calls that arrive
    /// together cause one GET /me, not one each.
    learned: Mutex<Option<(u64, String)>>,
}

impl DefaultAdmin {
    pub fn new(configured: Option<String>, token: TokenCell) -> Self {
        Self {
            configured,
            token,
            learned: Mutex::new(None),
        }
    }

    pub async fn id(&self, client: &Client) -> Result<String, ToolError> {
        if let Some(id) = &self.configured {
            return Ok(id.clone());
        }
        let mut learned = self.learned.lock().await;
        let generation = self.token.generation();
        if let Some((known, id)) = learned.as_ref()
            && *known == generation
        {
            return Ok(id.clone());
        }
        // GET /me changes nothing: safe to send again after a transient failure.
        const REPEATABLE: bool = true;
        let client = crate::intercom::retried(client, REPEATABLE);
        let me = crate::response::respond(client.identify_admin().send().await).await;
        let id = match me {
            Ok(me) => me
                .get("id")
                .and_then(id_text)
                .ok_or_else(|| failed("the answer has no admin id"))?,
            Err(ToolError::Api(error)) => return Err(failed(&format!("HTTP {}", error.status))),
            Err(
                ToolError::Request(message)
                | ToolError::Transport(message)
                | ToolError::Body(message),
            ) => {
                return Err(failed(&message));
            }
            Err(ToolError::Arguments(message)) => return Err(failed(&message)),
            // Says what answered and that nothing was followed: clearer as it is.
            Err(redirect @ ToolError::Redirect { .. }) => return Err(redirect),
        };
        tracing::info!(admin_id = id, "default admin learned from GET /me");
        *learned = Some((generation, id.clone()));
        Ok(id)
    }
}

fn id_text(id: &Value) -> Option<String> {
    match id {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn failed(why: &str) -> ToolError {
    ToolError::Request(format!(
        "No admin_id was given, and the admin who owns the token could not be found (GET /me: \
         {why}). Pass admin_id, or set INTERCOM_ADMIN_ID in the server's environment."
    ))
}
