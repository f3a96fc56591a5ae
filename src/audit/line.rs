//! What one audit line holds: the attempt (the same on both lines of a write) and, on the
//! outcome line, what came of it. Every field is always present (null when unknown), so a
//! reader can rely on the shape.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::Serialize;

/// One write attempt, as both of its lines tell it.
#[derive(Clone, Debug, Serialize)]
pub struct Attempt {
    /// The call's W3C trace id (32 hex digits).
    pub trace_id: String,
    pub tool: &'static str,
    /// Intercom's app id (`app.id_code` of `GET /me`); null when it could not be learned.
    pub workspace: Option<String>,
    /// Who acted: `oauth:<client id>` (with `--oauth`), the tenant (over HTTP), or `local`.
    pub actor: String,
    /// Over HTTP, `tenant:<SHA-256 of the Intercom token, hex>`; null over stdio.
    pub tenant: Option<String>,
    /// The admin the write acts as: the call's `admin_id`, else the default admin.
    pub admin_id: Option<String>,
    /// The ids the arguments name (`contact_id`, `conversation_id`, a tag's `id`, …).
    pub ids: BTreeMap<String, String>,
    /// Whether a customer sees the write (a reply, or a close or assignment with a message).
    pub customer_visible: bool,
    /// How it was confirmed; null when the call stopped before that was decided.
    pub confirmation: Option<Confirmation>,
    /// The message body's digest, when the write carries one.
    pub body: Option<Digest>,
}

/// How a write was confirmed before it was sent (or not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    /// The user confirmed it (elicitation mid-call, or a 2026-07-28 input-required round).
    Accepted,
    /// The user declined, cancelled or did not answer in time.
    Declined,
    /// It needed confirmation, and nobody could be asked (`--unconfirmable` decides).
    NotAsked,
    /// `--confirm-writes never`: no write asks.
    PolicyNever,
    /// A dry run sends nothing, so asks nothing.
    DryRun,
    /// The policy asks about this write only when a customer sees it, and none does.
    NotRequired,
}

/// A message body as the trail keeps it: never the text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Digest {
    /// SHA-256 of the UTF-8 text, lowercase hex.
    pub sha256: String,
    /// Its length in bytes.
    pub bytes: usize,
}

impl Digest {
    pub fn of(text: &str) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
        let sha256 = digest
            .as_ref()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Self {
            sha256,
            bytes: text.len(),
        }
    }
}

/// What came of a write attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Intercom answered 2xx.
    Sent,
    /// Intercom (or something in its place) answered with an error status.
    Refused,
    /// The user declined: not sent.
    Declined,
    /// The arguments were invalid: not sent.
    Invalid,
    /// Sent, and no answer came (a timeout, a broken connection): it may have been applied.
    Unknown,
    /// A dry run: described, not sent.
    DryRun,
    /// Not sent by this server's own policy: nobody to ask and `--unconfirmable refuse`, no
    /// token, a rate-limit window spent for too long, or the audit log not writable.
    Withheld,
}

impl Outcome {
    /// The name on the line and the metrics' `outcome` label.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::Refused => "refused",
            Outcome::Declined => "declined",
            Outcome::Invalid => "invalid",
            Outcome::Unknown => "unknown",
            Outcome::DryRun => "dry_run",
            Outcome::Withheld => "withheld",
        }
    }
}

/// An outcome with what Intercom said about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub outcome: Outcome,
    /// The HTTP status Intercom answered with, when it answered.
    pub status: Option<u16>,
    /// Intercom's request id: the `X-Request-Id` header, or an error body's `request_id`.
    pub request_id: Option<String>,
    /// The id of the record Intercom answered with (a created contact or note, the
    /// conversation replied to).
    pub record_id: Option<String>,
}

impl Report {
    /// An outcome with nothing from Intercom (nothing was sent, or no answer came).
    pub fn only(outcome: Outcome) -> Self {
        Self {
            outcome,
            status: None,
            request_id: None,
            record_id: None,
        }
    }
}

#[derive(Serialize)]
struct Line<'a> {
    time: String,
    event: &'static str,
    #[serde(flatten)]
    attempt: &'a Attempt,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    report: Option<&'a Report>,
}

/// The intent line, newline included.
pub(super) fn intent(attempt: &Attempt) -> Vec<u8> {
    encode(&Line {
        time: now(),
        event: "intent",
        attempt,
        report: None,
    })
}

/// The outcome line, newline included.
pub(super) fn outcome(attempt: &Attempt, report: &Report) -> Vec<u8> {
    encode(&Line {
        time: now(),
        event: "outcome",
        attempt,
        report: Some(report),
    })
}

fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

fn encode(line: &Line<'_>) -> Vec<u8> {
    // Plain data with string keys: serializing cannot fail.
    let mut bytes = serde_json::to_vec(line).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
