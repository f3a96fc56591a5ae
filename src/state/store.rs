//! What must be used only once, and where it is remembered: the authorization server's codes,
//! refresh tokens and flow states already used and refresh-token families revoked, and the
//! confirmations (request states) already answered. In process by default (one
//! replica); in Redis or Valkey, shared by every replica, with INTERCOM_MCP_STATE_URL. Every
//! entry has a TTL (the life left to what it remembers), and every key is a SHA-256 digest
//! ([`key`]): the store never holds a token, a code or a family id.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use tokio::sync::OnceCell;

/// The store could not be asked: requests that depend on it fail closed.
#[derive(Debug, thiserror::Error)]
#[error("the shared state store is unreachable")]
pub struct Unavailable;

/// The two things remembered. Values are short texts of ours (times and digests).
#[async_trait]
pub trait Store: Send + Sync {
    /// Puts `key` = `value` for `ttl` unless `key` is there, atomically across replicas:
    /// `None` for the first caller, the value already there for every later one.
    async fn once(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<Option<String>, Unavailable>;

    /// Marks a family (its [`key`]) revoked for `ttl`, the longest a token of it can live.
    async fn revoke(&self, family: &str, ttl: Duration) -> Result<(), Unavailable>;

    async fn is_revoked(&self, family: &str) -> Result<bool, Unavailable>;
}

/// The key of `text` (a code, a token, a flow state, a family id) as `what`: its SHA-256,
/// hex. These texts are 128 bits of randomness or more, sealed, so a plain digest cannot be
/// walked back; the prefix keeps our keys apart from anything else in a shared Redis.
pub fn key(what: &str, text: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, text.trim().as_bytes());
    let hex: String = digest
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("intercom-mcp:{what}:{hex}")
}

/// Where a family's revocation is kept: apart from the entries [`Store::once`] makes.
fn revoked_key(family: &str) -> String {
    format!("{family}:revoked")
}

/// Which store INTERCOM_MCP_STATE_URL (or `--state-url`) asks for; the error never repeats
/// the URL, which may carry a password.
pub fn from_url(url: Option<&str>) -> Result<Box<dyn Store>, String> {
    match url {
        None => Ok(Box::new(Local::default())),
        Some(url) => Ok(Box::new(Shared::new(url)?)),
    }
}

/// Entries past this many are refused (fail closed) rather than let memory grow without end;
/// about 250 bytes each. Flow states are the cheapest to make, and live 10 minutes.
const LOCAL_MAX_ENTRIES: usize = 1_000_000;
/// Expired entries are swept at most this often, not on every call.
const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// One replica's memory: right for one replica, wrong for several (each would accept a code
/// once).
pub struct Local(Mutex<LocalState>);

struct LocalState {
    entries: HashMap<String, (String, Instant)>,
    swept: Instant,
}

impl Default for Local {
    fn default() -> Self {
        Self(Mutex::new(LocalState {
            entries: HashMap::new(),
            swept: Instant::now(),
        }))
    }
}

impl Local {
    fn with<T>(&self, act: impl FnOnce(&mut HashMap<String, (String, Instant)>) -> T) -> T {
        let mut state = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        if now.duration_since(state.swept) >= SWEEP_EVERY {
            state.entries.retain(|_, (_, until)| *until > now);
            state.swept = now;
        }
        act(&mut state.entries)
    }

    fn put(&self, key: String, value: &str, ttl: Duration) -> Result<Option<String>, Unavailable> {
        let now = Instant::now();
        self.with(|entries| {
            if let Some((earlier, until)) = entries.get(&key)
                && *until > now
            {
                return Ok(Some(earlier.clone()));
            }
            if entries.len() >= LOCAL_MAX_ENTRIES {
                tracing::error!("the in-process state store is full");
                return Err(Unavailable);
            }
            entries.insert(key, (value.to_owned(), now + ttl));
            Ok(None)
        })
    }
}

#[async_trait]
impl Store for Local {
    async fn once(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<Option<String>, Unavailable> {
        self.put(key.to_owned(), value, ttl)
    }

    async fn revoke(&self, family: &str, ttl: Duration) -> Result<(), Unavailable> {
        self.put(revoked_key(family), "1", ttl).map(|_| ())
    }

    async fn is_revoked(&self, family: &str) -> Result<bool, Unavailable> {
        let key = revoked_key(family);
        let now = Instant::now();
        Ok(self.with(|entries| entries.get(&key).is_some_and(|(_, until)| *until > now)))
    }
}

/// How long a request waits for Redis before failing closed: a connection attempt, and an
/// answer.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// Redis or Valkey, shared by the replicas: `SET key value NX PX ttl` is the atomic "once".
/// The connection is made at the first request (start-up does not wait for Redis) and kept by
/// the maintained [`ConnectionManager`], which reconnects after a failure.
pub struct Shared {
    client: redis::Client,
    connection: OnceCell<ConnectionManager>,
}

impl Shared {
    fn new(url: &str) -> Result<Self, String> {
        let scheme = url.split_once("://").map(|(scheme, _)| scheme);
        if !matches!(scheme, Some("redis" | "redis+unix" | "unix")) {
            return Err("INTERCOM_MCP_STATE_URL must be a redis:// URL \
                 (redis://[:password@]host[:port][/db]); rediss:// is not built in"
                .to_owned());
        }
        let client = redis::Client::open(url).map_err(|_| {
            "INTERCOM_MCP_STATE_URL is not a usable redis:// URL \
             (redis://[:password@]host[:port][/db])"
                .to_owned()
        })?;
        Ok(Self {
            client,
            connection: OnceCell::new(),
        })
    }

    async fn connection(&self) -> Result<ConnectionManager, Unavailable> {
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(1);
        // Bounded as a whole: callers queue behind one first connection, and an unreachable
        // Redis must not make the k-th of them wait k attempts.
        let first = self.connection.get_or_try_init(|| {
            redis::aio::ConnectionManager::new_with_config(self.client.clone(), config)
        });
        match tokio::time::timeout(REDIS_TIMEOUT, first).await {
            Ok(connection) => connection.cloned().map_err(unavailable),
            Err(_) => {
                tracing::error!("the shared state store (Redis) did not connect in time");
                Err(Unavailable)
            }
        }
    }

    async fn query<T: redis::FromRedisValue>(
        &self,
        command: &redis::Cmd,
    ) -> Result<T, Unavailable> {
        let mut connection = self.connection().await?;
        match command.query_async(&mut connection).await {
            // The manager keeps the failure of its last reconnection until a request sees it
            // and starts another: once Redis is back, that request would fail for nothing. A
            // refused connection sent nothing, so asking again cannot apply a command twice.
            Err(err) if err.is_connection_refusal() => {
                tracing::debug!("the shared state store refused a connection; asking again");
                command
                    .query_async(&mut connection)
                    .await
                    .map_err(unavailable)
            }
            result => result.map_err(unavailable),
        }
    }
}

/// Logs why (the kind only: an error's text could name the server) and fails closed.
fn unavailable(err: redis::RedisError) -> Unavailable {
    tracing::error!(kind = ?err.kind(), "the shared state store (Redis) failed");
    Unavailable
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl Store for Shared {
    async fn once(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<Option<String>, Unavailable> {
        let mut set = redis::cmd("SET");
        set.arg(key).arg(value).arg("NX").arg("PX").arg(millis(ttl));
        let stored: Option<String> = self.query(&set).await?;
        if stored.is_some() {
            return Ok(None);
        }
        // Taken: what is there. An entry is never overwritten, so this is what the first
        // caller put, unless it expired just now (then it is the empty text: not a retry).
        let earlier: Option<String> = self.query(redis::cmd("GET").arg(key)).await?;
        Ok(Some(earlier.unwrap_or_default()))
    }

    async fn revoke(&self, family: &str, ttl: Duration) -> Result<(), Unavailable> {
        let mut set = redis::cmd("SET");
        set.arg(revoked_key(family))
            .arg("1")
            .arg("PX")
            .arg(millis(ttl));
        self.query::<()>(&set).await
    }

    async fn is_revoked(&self, family: &str) -> Result<bool, Unavailable> {
        self.query(redis::cmd("EXISTS").arg(revoked_key(family)))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_caller_wins_and_later_ones_see_its_value_until_the_ttl() {
        let store = Local::default();
        let ttl = Duration::from_millis(50);
        assert_eq!(store.once("a", "first", ttl).await.unwrap(), None);
        assert_eq!(
            store.once("a", "second", ttl).await.unwrap().as_deref(),
            Some("first")
        );
        assert_eq!(store.once("b", "other", ttl).await.unwrap(), None);
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert_eq!(store.once("a", "third", ttl).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_code_is_redeemed_once() {
        let redeemed = Local::default();
        // An authorization code's life (auth::grants::CODE_TTL).
        let until = Duration::from_secs(60);
        assert!(redeemed.once("a", "1", until).await.unwrap().is_none());
        assert!(redeemed.once("a", "1", until).await.unwrap().is_some());
        assert!(redeemed.once("b", "1", until).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_family_is_revoked_for_its_ttl() {
        let store = Local::default();
        assert!(!store.is_revoked("f").await.unwrap());
        store.revoke("f", Duration::from_millis(50)).await.unwrap();
        assert!(store.is_revoked("f").await.unwrap());
        assert!(!store.is_revoked("g").await.unwrap());
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert!(!store.is_revoked("f").await.unwrap());
    }

    #[test]
    fn keys_are_digests_and_never_the_text() {
        let key = key("code", " secret-code ");
        assert!(key.starts_with("intercom-mcp:code:") && !key.contains("secret"));
        assert_eq!(key.len(), "intercom-mcp:code:".len() + 64);
        assert_eq!(super::key("code", "secret-code"), key);
        assert_ne!(super::key("flow", "secret-code"), key);
    }

    #[test]
    fn only_redis_urls_are_taken_and_none_is_echoed() {
        assert!(from_url(None).is_ok());
        assert!(from_url(Some("redis://127.0.0.1:6379/0")).is_ok());
        for bad in [
            "http://user:hunter2@host",
            "rediss://:hunter2@host",
            "hunter2",
        ] {
            let err = from_url(Some(bad)).err().unwrap();
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
}
