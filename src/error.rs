//! Every way a tool call can fail, and the text the model reads for each: what happened, what
//! Intercom said, and what to do next.

use std::fmt::Write as _;
use std::time::Duration;

use reqwest::StatusCode;

use crate::config::Region;
use crate::intercom::types;
use crate::output::plain_text;

#[derive(Debug)]
pub enum ToolError {
    /// The arguments do not fit the tool; nothing was sent.
    Arguments(String),
    /// The request was not sent: no token, or a rate-limit window spent for too long.
    Request(String),
    /// The request went out but no answer came back (timeout, connection reset or refused).
    Transport(String),
    /// Intercom answered with a non-2xx status.
    Api(ApiError),
    /// Intercom answered 2xx with a body that is not JSON.
    Body(String),
    /// A 3xx: Intercom's API never redirects, so this came from something else. Not followed.
    Redirect {
        status: StatusCode,
        /// The host the `Location` names (relative to the request), when there is one.
        host: Option<String>,
    },
}

/// The error for a 3xx answer to `response`'s request.
pub fn redirect(response: &reqwest::Response) -> ToolError {
    let host = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|location| location.to_str().ok())
        .and_then(|location| response.url().join(location).ok())
        .and_then(|target| {
            let host = target.host_str()?;
            Some(match target.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            })
        });
    ToolError::Redirect {
        status: response.status(),
        host,
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub request_id: Option<String>,
    /// (code, message, field) from Intercom's error list.
    pub errors: Vec<(String, Option<String>, Option<String>)>,
    /// What the body was, when it was not Intercom's error JSON.
    pub body_note: Option<String>,
    /// For a 429: how long the answer asked to wait.
    pub retry_after: Option<Duration>,
}

/// What the hints need to know about the call.
pub struct Hints<'a> {
    /// The region in use; `None` when INTERCOM_BASE_URL overrides it.
    pub region: Option<Region>,
    /// The OAuth permission the tool needs, named as in Intercom's Developer Hub.
    pub scope: &'a str,
    /// Whether the operation is safe to send again (the policy retried it already).
    pub repeatable: bool,
}

/// After a failure that may have reached Intercom, what to do depends on whether repeating is safe.
fn after_failure(hints: &Hints<'_>) -> &'static str {
    if hints.repeatable {
        "It was retried already; try again in a minute."
    } else {
        "The outcome is unknown: Intercom may have applied this change. Read it back first (the \
         contact or conversation) and only repeat the call if it did not happen, or it may happen twice."
    }
}

/// Reads an error body Intercom (or a proxy in front of it) sent.
pub fn api_error(status: StatusCode, body: &[u8]) -> ApiError {
    let mut error = ApiError {
        status,
        request_id: None,
        errors: Vec::new(),
        body_note: None,
        retry_after: None,
    };
    match serde_json::from_slice::<types::Error>(body) {
        Ok(parsed) => {
            error.request_id = parsed.request_id;
            error.errors = parsed
                .errors
                .into_iter()
                .map(|item| (item.code, item.message, item.field))
                .collect();
        }
        Err(_) if body.iter().all(u8::is_ascii_whitespace) => {
            error.body_note = Some("an empty body".to_owned());
        }
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let kind = if text.trim_start().starts_with('<') {
                "an HTML page"
            } else {
                "a body that is not Intercom's error JSON"
            };
            error.body_note = Some(format!("{kind}: {}", excerpt(&text)));
        }
    }
    error
}

/// How much of a body the excerpt reads. The HTML reader builds a whole document, and a
/// proxy's page may run to the body cap (16 MiB by default) where ~200 characters are wanted.
const EXCERPT_READS: usize = 64 * 1024;

/// At most ~200 characters of a body, on one line: its text as the model reads an HTML body
/// (`output::plain_text`), after the page's title, which that reader leaves out with the rest
/// of the head but which often says best what failed (`502 Bad Gateway`).
fn excerpt(text: &str) -> String {
    let mut end = text.len().min(EXCERPT_READS);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = text.get(..end).unwrap_or_default();
    let title = title(head).unwrap_or_default();
    let page = plain_text(head);
    let words: Vec<&str> = title
        .split_whitespace()
        .chain(
            page.lines()
                .flat_map(|line| heading(line).split_whitespace()),
        )
        .collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", joined.get(..cut).unwrap_or_default()),
        None => joined,
    }
}

/// A line without the `#`s the reader marks a heading's line with: on one line they would
/// read as text.
fn heading(line: &str) -> &str {
    let rest = line.trim_start_matches('#');
    match rest.strip_prefix(' ') {
        Some(words) if rest.len() < line.len() => words,
        _ => line,
    }
}

/// The text of an HTML page's `<title>`, if it has one.
fn title(html: &str) -> Option<String> {
    // ASCII lowercasing keeps every byte where it was, so the offsets fit `html` too.
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower.get(open..)?.find('>')? + 1;
    let end = start + lower.get(start..)?.find("</title")?;
    Some(plain_text(html.get(start..end)?))
}

/// How a rendered [`ToolError::Arguments`] begins.
const NOTHING_SENT: &str = "Invalid arguments, nothing was sent: ";
/// How a rendered [`ToolError::Api`] begins, before the status.
const ANSWERED: &str = "Intercom answered HTTP ";

/// What a rendered error says of the request, read back from its first words (the text
/// [`ToolError::render`] writes, so a tool result can be read by what failed).
#[derive(Debug, PartialEq, Eq)]
pub enum Failed {
    /// The arguments were refused before anything was sent.
    NothingSent,
    /// Intercom answered this status.
    Answered(StatusCode),
    /// Anything else (no token, a transport failure, a body that is not JSON, a redirect).
    Other,
}

impl Failed {
    pub fn of_rendered(text: &str) -> Self {
        if text.starts_with(NOTHING_SENT) {
            return Self::NothingSent;
        }
        text.strip_prefix(ANSWERED)
            .and_then(|rest| rest.get(..3))
            .and_then(|code| StatusCode::from_bytes(code.as_bytes()).ok())
            .map_or(Self::Other, Self::Answered)
    }
}

impl ToolError {
    pub fn render(&self, hints: &Hints<'_>) -> String {
        match self {
            ToolError::Arguments(message) => format!("{NOTHING_SENT}{message}"),
            ToolError::Request(message) => message.clone(),
            ToolError::Transport(message) => format!("{message} {}", after_failure(hints)),
            ToolError::Body(message) => message.clone(),
            ToolError::Api(error) => error.render(hints),
            ToolError::Redirect { status, host } => {
                let target = match host {
                    Some(host) => format!("a redirect to host `{host}`"),
                    None => "a redirect without a usable Location".to_owned(),
                };
                let applied = if hints.repeatable {
                    ""
                } else {
                    " The change was most likely not applied: read it back before calling again."
                };
                format!(
                    "Intercom answered HTTP {status}, {target}. Intercom's API never redirects, so \
                     something else answered (a proxy, or INTERCOM_BASE_URL pointing elsewhere). \
                     Redirects are not followed: nothing was sent to that host and nothing was \
                     sent again.{applied}\nhint: check INTERCOM_BASE_URL / intercomRegion and any \
                     HTTPS proxy between this server and Intercom."
                )
            }
        }
    }
}

impl ApiError {
    fn render(&self, hints: &Hints<'_>) -> String {
        let mut text = format!("{ANSWERED}{}", self.status);
        if let Some(note) = &self.body_note {
            let _ = write!(text, " with {note}");
        }
        text.push('.');
        for (code, message, field) in &self.errors {
            let _ = write!(text, "\nerror {code}");
            if let Some(field) = field {
                let _ = write!(text, " (field {field})");
            }
            if let Some(message) = message {
                let _ = write!(text, ": {message}");
            }
        }
        if let Some(id) = &self.request_id {
            let _ = write!(text, "\nrequest_id: {id}");
        }
        let _ = write!(text, "\nhint: {}", self.hint(hints));
        text
    }

    fn hint(&self, hints: &Hints<'_>) -> String {
        let field = self
            .errors
            .iter()
            .find_map(|(_, _, field)| field.as_deref());
        match self.status.as_u16() {
            401 => match hints.region {
                Some(region) => format!(
                    "The access token was refused. Check accessToken / INTERCOM_ACCESS_TOKEN, and that \
                     the workspace is hosted in region `{}` (intercomRegion / INTERCOM_REGION: us, eu or \
                     au): a token used against another region's API gets 401.",
                    region.name()
                ),
                None => "The access token was refused. Check accessToken / INTERCOM_ACCESS_TOKEN, and \
                         that INTERCOM_BASE_URL points at the region hosting this workspace."
                    .to_owned(),
            },
            403 => format!(
                "The token lacks a permission this tool needs: `{}`. Grant it to the app in \
                 Intercom's Developer Hub (and reinstall it), or use a token that has it.",
                hints.scope
            ),
            404 => "Nothing exists at that id. Ids are Intercom's own (not emails or external \
                    ids): list or search first to find the right one."
                .to_owned(),
            400 | 422 => match field {
                Some(field) => format!("Intercom rejected `{field}`: correct it and call again."),
                None => "Intercom rejected the request: correct the arguments named above and call again.".to_owned(),
            },
            409 => "The request conflicts with existing data (for example a contact with that email \
                    or external_id already exists): search for it instead of creating it."
                .to_owned(),
            429 => match self.retry_after {
                Some(wait) => format!(
                    "Intercom's rate limit for this token is reached; try again in {} s.",
                    wait.as_secs().max(1)
                ),
                None => "Intercom's rate limit for this token is reached; try again in about 10 s.".to_owned(),
            },
            500..=599 => format!("Intercom or a proxy in front of it failed. {}", after_failure(hints)),
            _ => "Check the arguments against the tool's description.".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HINTS: Hints<'static> = Hints {
        region: Some(Region::Eu),
        scope: "Read conversations",
        repeatable: true,
    };

    #[test]
    fn intercom_error_json_is_read_with_code_message_field_and_request_id() {
        let body = br#"{"type":"error.list","request_id":"req-77","errors":[{"code":"parameter_invalid","message":"Email is invalid","field":"email"}]}"#;
        let text = api_error(StatusCode::UNPROCESSABLE_ENTITY, body).render(&HINTS);
        assert!(
            text.starts_with("Intercom answered HTTP 422 Unprocessable Entity."),
            "{text}"
        );
        assert!(
            text.contains("error parameter_invalid (field email): Email is invalid"),
            "{text}"
        );
        assert!(text.contains("request_id: req-77"), "{text}");
        assert!(text.contains("rejected `email`"), "{text}");
    }

    #[test]
    fn html_and_empty_bodies_are_described_not_dumped() {
        let page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";
        let text = api_error(StatusCode::BAD_GATEWAY, page).render(&HINTS);
        assert!(
            text.contains("with an HTML page: 502 Bad Gateway 502 Bad Gateway."),
            "{text}"
        );
        assert!(!text.contains("<html>"));
        let text = api_error(StatusCode::SERVICE_UNAVAILABLE, b"").render(&HINTS);
        assert!(text.contains("with an empty body."), "{text}");
    }

    #[test]
    fn what_failed_is_read_back_from_the_rendered_text() {
        let text = api_error(StatusCode::NOT_FOUND, b"").render(&HINTS);
        assert_eq!(
            Failed::of_rendered(&text),
            Failed::Answered(StatusCode::NOT_FOUND)
        );
        let text = ToolError::Arguments("no".to_owned()).render(&HINTS);
        assert_eq!(Failed::of_rendered(&text), Failed::NothingSent);
        let text = ToolError::Transport("timed out".to_owned()).render(&HINTS);
        assert_eq!(Failed::of_rendered(&text), Failed::Other);
    }

    #[test]
    fn hints_name_the_region_and_the_scope() {
        let text = api_error(StatusCode::UNAUTHORIZED, b"").render(&HINTS);
        assert!(
            text.contains("region `eu`") && text.contains("INTERCOM_REGION"),
            "{text}"
        );
        let text = api_error(StatusCode::FORBIDDEN, b"").render(&HINTS);
        assert!(text.contains("`Read conversations`"), "{text}");
    }

    #[test]
    fn a_page_reads_as_its_title_then_its_text_without_scripts_or_styles() {
        let page = b"<html><head><title>Just a moment</title><style>p{color:red}</style></head>\
            <body><script>var ray = 1;</script><h2>Checking &amp; waiting</h2><p>Ray <b>8f</b></p></body></html>";
        let text = api_error(StatusCode::FORBIDDEN, page).render(&HINTS);
        assert!(
            text.contains("with an HTML page: Just a moment Checking & waiting Ray 8f."),
            "{text}"
        );
    }

    #[test]
    fn a_page_far_longer_than_the_excerpt_is_cut_between_characters() {
        // 3 MiB of text in two-byte characters: the read stops at EXCERPT_READS, inside one.
        let page = format!("<p>{}</p>", "é ".repeat(1024 * 1024));
        let text = api_error(StatusCode::BAD_GATEWAY, page.as_bytes()).render(&HINTS);
        assert!(
            text.contains("HTML page: é é é") && text.contains('…'),
            "{text}"
        );
        assert!(text.len() < 700, "{}", text.len());
    }

    #[test]
    fn long_bodies_are_cut() {
        let body = "x ".repeat(5_000);
        let text = api_error(StatusCode::BAD_GATEWAY, body.as_bytes()).render(&HINTS);
        assert!(text.len() < 700, "{}", text.len());
    }
}
