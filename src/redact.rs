//! Keeps the access token out of what Intercom (or anything answering in its place) says back.
//! An error body that echoes the token — whole, or any run of six or more of its characters,
//! such as a prefix — is rewritten before anything reads it, so no result, `doctor` line or log
//! line can carry it. Every non-2xx answer passes through [`scrub`] in the client's request
//! hook, the one place upstream text enters, in every mode (stdio, HTTP, `call`, `doctor`).
//! Words known to be public (the sandbox's token, `sandbox`) are kept where they stand whole,
//! so a token that shares six letters with one does not cut it out of the sentence naming it.

use std::collections::HashSet;

use reqwest::header::{HeaderValue, LOCATION};
use serde_json::Value;

/// What stands where the token was.
pub const REDACTED: &str = "[redacted]";

/// Runs of at least this many of the token's characters are redacted: shorter ones occur by
/// chance in ordinary text.
const MIN_RUN: usize = 6;

/// Every piece of `text` that is a run of `MIN_RUN` or more consecutive characters of `token`
/// replaced with [`REDACTED`]. A token shorter than that is redacted where it occurs whole.
pub fn redact(text: &str, token: &str) -> String {
    redact_keeping(text, token, &[])
}

/// As [`redact`], keeping each of the `public` words where it stands whole: with no token
/// character (RFC 6750 `b64token`) on either side. A run of the token cannot start inside such
/// a word and go on past it (the next character is not the token's), so what is kept is the
/// public word and nothing of the token beside it.
pub fn redact_keeping(text: &str, token: &str, public: &[&str]) -> String {
    let (text_bytes, token_bytes) = (text.as_bytes(), token.as_bytes());
    let min = MIN_RUN.min(token_bytes.len());
    if min == 0 {
        return text.to_owned();
    }
    let kept_words = whole_words(text, public);
    let windows: HashSet<&[u8]> = token_bytes.windows(min).collect();
    let mut out = String::with_capacity(text.len());
    let (mut kept, mut at) = (0, 0);
    while at + min <= text_bytes.len() {
        let window = text_bytes.get(at..at + min).unwrap_or_default();
        if !windows.contains(window) || kept_words.iter().any(|word| word.contains(&at)) {
            at += 1;
            continue;
        }
        let run = longest_run(text_bytes.get(at..).unwrap_or_default(), token_bytes, min);
        // The token is ASCII (a b64token), so a run starts and ends on character boundaries.
        out.push_str(text.get(kept..at).unwrap_or_default());
        out.push_str(REDACTED);
        at += run;
        kept = at;
    }
    out.push_str(text.get(kept..).unwrap_or_default());
    out
}

/// Where each of `words` occurs whole in `text`: not preceded or followed by a character a
/// token may hold.
fn whole_words(text: &str, words: &[&str]) -> Vec<std::ops::Range<usize>> {
    let is_token_byte = |byte: u8| byte.is_ascii_alphanumeric() || b"-._~+/=".contains(&byte);
    let bytes = text.as_bytes();
    words
        .iter()
        .filter(|word| !word.is_empty())
        .flat_map(|word| {
            text.match_indices(word)
                .map(|(at, word)| at..at + word.len())
        })
        .filter(|range| {
            let before = range
                .start
                .checked_sub(1)
                .and_then(|at| bytes.get(at).copied());
            let after = bytes.get(range.end).copied();
            !before.is_some_and(is_token_byte) && !after.is_some_and(is_token_byte)
        })
        .collect()
}

/// How many leading bytes of `text` are a run of consecutive bytes of `token` (at least `min`,
/// as the caller found a matching window).
fn longest_run(text: &[u8], token: &[u8], min: usize) -> usize {
    (0..token.len())
        .map(|start| {
            token
                .get(start..)
                .unwrap_or_default()
                .iter()
                .zip(text)
                .take_while(|(a, b)| a == b)
                .count()
        })
        .max()
        .unwrap_or(0)
        .max(min)
}

/// A body with the token redacted. JSON is redacted in its decoded strings (keys too), so an
/// escaped echo (`\/` for `/`, `\u0041`) is found as well; other bodies as text.
pub fn redact_body(body: &[u8], token: &str, public: &[&str]) -> Vec<u8> {
    if let Ok(mut json) = serde_json::from_slice::<Value>(body) {
        redact_json(&mut json, token, public);
        return json.to_string().into_bytes();
    }
    redact_keeping(&String::from_utf8_lossy(body), token, public).into_bytes()
}

fn redact_json(value: &mut Value, token: &str, public: &[&str]) {
    match value {
        Value::String(text) => *text = redact_keeping(text, token, public),
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| redact_json(item, token, public)),
        Value::Object(members) => {
            *members = std::mem::take(members)
                .into_iter()
                .map(|(key, mut member)| {
                    redact_json(&mut member, token, public);
                    (redact_keeping(&key, token, public), member)
                })
                .collect();
        }
        _ => {}
    }
}

/// A non-2xx answer to a request for `url` as the rest of the server may see it: the body read
/// (within the policy's size cap; what arrived before a cap or a broken connection is kept) and
/// redacted, and a `Location` redacted too. Status and headers are kept, and the URL is the
/// request's, so a relative `Location` resolves against it. The `public` words are kept whole
/// ([`redact_keeping`]).
pub async fn scrub(
    mut response: reqwest::Response,
    token: &str,
    public: &[&str],
    url: reqwest::Url,
) -> reqwest::Response {
    let mut body = Vec::new();
    let mut over_the_cap = false;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(err) => {
                over_the_cap = crate::policy::is_body_too_large(&err);
                break;
            }
        }
    }
    let status = response.status();
    let mut builder = http::Response::builder().status(status);
    if let Some(headers) = builder.headers_mut() {
        *headers = std::mem::take(response.headers_mut());
        if let Some(location) = headers.get(LOCATION).and_then(|value| value.to_str().ok())
            && let Ok(clean) = HeaderValue::from_str(&redact(location, token))
        {
            headers.insert(LOCATION, clean);
        }
    }
    let builder = reqwest::ResponseBuilderExt::url(builder, url);
    let body = if over_the_cap {
        // Reading this body fails as the original's did, so the caller reports the cap.
        reqwest::Body::wrap(http_body_util::Limited::new(
            http_body_util::Full::new(&b" "[..]),
            0,
        ))
    } else {
        reqwest::Body::from(redact_body(&body, token, public))
    };
    match builder.body(body) {
        Ok(rebuilt) => reqwest::Response::from(rebuilt),
        // Unreachable with a status and headers taken from a response; an empty answer with
        // the same status is still no leak.
        Err(_) => {
            let mut empty = http::Response::new(Vec::new());
            *empty.status_mut() = status;
            reqwest::Response::from(empty)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "dG9rOmFiY2RlZjEyMzQ1Njc4OTA=";

    #[test]
    fn the_token_and_any_long_run_of_it_are_redacted() {
        let cases = [
            (format!("bad token {TOKEN}."), "bad token [redacted]."),
            (
                format!("token {TOKEN}{TOKEN}"),
                "token [redacted][redacted]",
            ),
            (
                "prefix dG9rOm… was refused".to_owned(),
                "prefix [redacted]… was refused",
            ),
            (
                "middle 'Y2RlZjEy' echoed".to_owned(),
                "middle '[redacted]' echoed",
            ),
            ("short dG9rO stays".to_owned(), "short dG9rO stays"),
            ("none here".to_owned(), "none here"),
            ("日本語 dG9rOmFiY2 ünï".to_owned(), "日本語 [redacted] ünï"),
        ];
        for (text, expected) in cases {
            assert_eq!(redact(&text, TOKEN), expected, "{text}");
        }
        assert_eq!(redact("a tok b tok", "tok"), "a [redacted] b [redacted]");
    }

    #[test]
    fn a_public_word_is_kept_where_it_stands_whole() {
        let text = "the sandbox accepts only the bearer token `sandbox`";
        assert_eq!(
            redact(text, "sandbox1"),
            "the [redacted] accepts only the bearer token `[redacted]`"
        );
        assert_eq!(redact_keeping(text, "sandbox1", &["sandbox"]), text);
        // The token beside the word, or the word inside the token, is still cut out.
        for (echo, clean) in [
            ("token sandbox1 refused", "token [redacted] refused"),
            ("token xsandbox refused", "token [redacted] refused"),
            ("token sandbox.1 refused", "token [redacted] refused"),
        ] {
            let token = echo.split(' ').nth(1).unwrap();
            assert_eq!(redact_keeping(echo, token, &["sandbox"]), clean, "{echo}");
        }
    }

    #[test]
    fn json_bodies_are_redacted_in_their_decoded_strings() {
        let token = "abc/def+ghi==";
        let body = br#"{"errors":[{"code":"token_unauthorized","message":"Token abc\/def+ghi== is invalid"}],"abc\/def+g":1}"#;
        let clean = String::from_utf8(redact_body(body, token, &[])).unwrap();
        assert!(
            !clean.contains("abc/def") && !clean.contains(r"abc\/def"),
            "{clean}"
        );
        assert!(clean.contains("Token [redacted] is invalid"), "{clean}");
        let clean = String::from_utf8(redact_body(b"<p>abc/def+ghi==</p>", token, &[])).unwrap();
        assert_eq!(clean, "<p>[redacted]</p>");
    }
}
