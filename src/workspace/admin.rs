//! Who the token acts as, from GET /me, fetched once per token and forgotten when the token
//! changes: the admin a reply, close, assignment or note acts as when the call names none
//! (INTERCOM_ADMIN_ID when set, else the token's owner), and the workspace's app id, which the
//! audit trail names (learned from GET /me even when INTERCOM_ADMIN_ID is set).

use serde_json::Value;
use tokio::sync::Mutex;

use crate::error::ToolError;
use crate::intercom::{Client, TokenCell};

pub struct DefaultAdmin {
    configured: Option<String>,
    token: TokenCell,
    /// (token generation, what GET /me said). The lock is held across the fetch, so calls
    /// that arrive together cause one GET /me, not one each.
    learned: Mutex<Option<(u64, Me)>>,
}

/// What GET /me says that the server keeps.
#[derive(Clone)]
struct Me {
    admin_id: String,
    /// `app.id_code`: the workspace's id.
    app_id: Option<String>,
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
        match self.me(client).await {
            Ok(me) => Ok(me.admin_id),
            Err(Unknown::Why(why)) => Err(failed(&why)),
            Err(Unknown::Redirect(redirect)) => Err(redirect),
        }
    }

    /// The workspace's app id (`app.id_code` of GET /me); `None` when GET /me fails or has
    /// none (the reason is logged).
    pub async fn workspace(&self, client: &Client) -> Option<String> {
        match self.me(client).await {
            Ok(me) => me.app_id,
            Err(Unknown::Why(why)) => {
                tracing::warn!("the workspace's app id is unknown (GET /me: {why})");
                None
            }
            Err(Unknown::Redirect(_)) => {
                tracing::warn!("the workspace's app id is unknown (GET /me was redirected)");
                None
            }
        }
    }

    async fn me(&self, client: &Client) -> Result<Me, Unknown> {
        let mut learned = self.learned.lock().await;
        let generation = self.token.generation();
        if let Some((known, me)) = learned.as_ref()
            && *known == generation
        {
            return Ok(me.clone());
        }
        // GET /me changes nothing: safe to send again after a transient failure.
        const REPEATABLE: bool = true;
        let client = crate::intercom::retried(client, REPEATABLE);
        let me = crate::response::respond(client.identify_admin().send().await).await;
        let me = match me {
            Ok(me) => Me {
                admin_id: me
                    .get("id")
                    .and_then(id_text)
                    .ok_or_else(|| Unknown::Why("the answer has no admin id".to_owned()))?,
                app_id: me.pointer("/app/id_code").and_then(id_text),
            },
            Err(ToolError::Api(error)) => {
                return Err(Unknown::Why(format!("HTTP {}", error.status)));
            }
            Err(
                ToolError::Request(message)
                | ToolError::Transport(message)
                | ToolError::Body(message)
                | ToolError::Arguments(message),
            ) => return Err(Unknown::Why(message)),
            // Says what answered and that nothing was followed: clearer as it is.
            Err(redirect @ ToolError::Redirect { .. }) => return Err(Unknown::Redirect(redirect)),
        };
        tracing::info!(
            admin_id = me.admin_id,
            app_id = me.app_id,
            "the token's admin and workspace learned from GET /me"
        );
        *learned = Some((generation, me.clone()));
        Ok(me)
    }
}

/// Why GET /me told us nothing.
enum Unknown {
    Why(String),
    /// A 3xx: its error says what answered and that nothing was followed.
    Redirect(ToolError),
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
