//! Keeps the access token out of what Intercom (or anything answering in its place) says back.
//! An error body that echoes the token — whole, or any run of six or more of its characters,
//! such as a prefix — is rewritten before anything reads it, so no result, `doctor` line or log
//! line can carry it. Every non-2xx answer passes through [`scrub`] in the client's request
//! hook, the one place upstream text enters, in every mode (stdio, HTTP, `call`, `doctor`).

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
    let (text_bytes, token_bytes) = (text.as_bytes(), token.as_bytes());
    let min = MIN_RUN.min(token_bytes.len());
    if min == 0 {
        return text.to_owned();
    }
    let windows: HashSet<&[u8]> = token_bytes.windows(min).collect();
    let mut out = String::with_capacity(text.len());
    let (mut kept, mut at) = (0, 0);
    while at + min <= text_bytes.len() {
        let window = text_bytes.get(at..at + min).unwrap_or_default();
        if !windows.contains(window) {
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
pub fn redact_body(body: &[u8], token: &str) -> Vec<u8> {
    if let Ok(mut json) = serde_json::from_slice::<Value>(body) {
        redact_json(&mut json, token);
        return json.to_string().into_bytes();
    }
    redact(&String::from_utf8_lossy(body), token).into_bytes()
}

fn redact_json(value: &mut Value, token: &str) {
    match value {
        Value::String(text) => *text = redact(text, token),
        Value::Array(items) => items.iter_mut().for_each(|item| redact_json(item, token)),
        Value::Object(members) => {
            *members = std::mem::take(members)
                .into_iter()
                .map(|(key, mut member)| {
                    redact_json(&mut member, token);
                    (redact(&key, token), member)
                })
                .collect();
        }
        _ => {}
    }
}

/// A non-2xx answer to a request for `url` as the rest of the server may see it: the body read
/// (within the policy's size cap; what arrived before a cap or a broken connection is kept) and
/// redacted, and a `Location` redacted too. Status and headers are kept, and the URL is the
/// request's, so a relative `Location` resolves against it.
pub async fn scrub(
    mut response: reqwest::Response,
    token: &str,
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
        reqwest::Body::from(redact_body(&body, token))
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
    fn json_bodies_are_redacted_in_their_decoded_strings() {
        let token = "abc/def+ghi==";
        let body = br#"{"errors":[{"code":"token_unauthorized","message":"Token abc\/def+ghi== is invalid"}],"abc\/def+g":1}"#;
        let clean = String::from_utf8(redact_body(body, token)).unwrap();
        assert!(
            !clean.contains("abc/def") && !clean.contains(r"abc\/def"),
            "{clean}"
        );
        assert!(clean.contains("Token [redacted] is invalid"), "{clean}");
        let clean = String::from_utf8(redact_body(b"<p>abc/def+ghi==</p>", token)).unwrap();
        assert_eq!(clean, "<p>[redacted]</p>");
    }
}
