//! A message's `id` read from its text without parsing its values, so that a parse limit
//! elsewhere in the message (nesting past serde_json's 128 levels, a number out of range, a
//! lone surrogate) does not lose it: the error then answers the request by its id, and its
//! client is not left waiting. Also the check rmcp lacks: rmcp reads `1.0e2` as the id 100 and
//! `1e-400` as 0, which collide with real ids, so an id written with `.`, `e` or `E` is refused.

use serde_json::Value;

/// What the raw `id` member of a message is.
pub(super) enum RawId {
    /// Not one complete JSON object with a single `id` member.
    Unknown,
    /// A number written with a fraction or an exponent.
    Float,
    /// A string or an integer: the id to answer with.
    Readable(Value),
    /// Something else (a lone surrogate in a string, `null`, an object, …).
    Unreadable,
}

/// The `id` member of `line`, which must be one complete object for it to count.
pub(super) fn raw_id(line: &[u8]) -> RawId {
    let Some(raw) = find_id(line) else {
        return RawId::Unknown;
    };
    match raw.first() {
        Some(b'"') => serde_json::from_slice::<String>(raw)
            .map_or(RawId::Unreadable, |id| RawId::Readable(Value::String(id))),
        Some(b'-' | b'0'..=b'9') if raw.iter().any(|byte| matches!(byte, b'.' | b'e' | b'E')) => {
            RawId::Float
        }
        Some(b'-' | b'0'..=b'9') => serde_json::from_slice::<i64>(raw)
            .map_or(RawId::Unreadable, |id| RawId::Readable(Value::from(id))),
        _ => RawId::Unreadable,
    }
}

fn find_id(line: &[u8]) -> Option<&[u8]> {
    let mut at = skip_space(line, 0);
    (line.get(at) == Some(&b'{')).then_some(())?;
    at = skip_space(line, at + 1);
    let mut id = None;
    if line.get(at) == Some(&b'}') {
        at += 1;
    } else {
        loop {
            let key_end = skip_string(line, at)?;
            let key = line.get(at..key_end)?;
            at = skip_space(line, key_end);
            (line.get(at) == Some(&b':')).then_some(())?;
            at = skip_space(line, at + 1);
            let value_end = skip_value(line, at)?;
            // A key may be written with escapes; decoding it is rare, only keys with one.
            let is_id = key == b"\"id\""
                || (key.contains(&b'\\')
                    && serde_json::from_slice::<String>(key).is_ok_and(|key| key == "id"));
            if is_id {
                // Two ids: which one is meant cannot be said.
                if id.is_some() {
                    return None;
                }
                id = Some(line.get(at..value_end)?);
            }
            at = skip_space(line, value_end);
            match line.get(at) {
                Some(b',') => at = skip_space(line, at + 1),
                Some(b'}') => {
                    at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_space(line, at) == line.len()).then_some(())?;
    id
}

fn skip_space(line: &[u8], mut at: usize) -> usize {
    while line
        .get(at)
        .is_some_and(|byte| matches!(byte, b' ' | b'\t' | b'\n' | b'\r'))
    {
        at += 1;
    }
    at
}

/// The end of the string that starts at `at`.
fn skip_string(line: &[u8], at: usize) -> Option<usize> {
    (line.get(at) == Some(&b'"')).then_some(())?;
    let mut at = at + 1;
    loop {
        match line.get(at)? {
            b'\\' => at += 2,
            b'"' => return Some(at + 1),
            _ => at += 1,
        }
    }
}

/// The end of the value that starts at `at`, counting brackets instead of recursing.
fn skip_value(line: &[u8], at: usize) -> Option<usize> {
    match line.get(at)? {
        b'"' => skip_string(line, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut at = at;
            loop {
                match line.get(at)? {
                    b'"' => {
                        at = skip_string(line, at)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(at + 1);
                        }
                    }
                    _ => {}
                }
                at += 1;
            }
        }
        _ => {
            let mut end = at;
            while line.get(end).is_some_and(|byte| {
                !matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            }) {
                end += 1;
            }
            (end > at).then_some(end)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn readable(line: &str) -> Option<Value> {
        match raw_id(line.as_bytes()) {
            RawId::Readable(id) => Some(id),
            _ => None,
        }
    }

    #[test]
    fn an_id_is_read_past_what_stops_the_parser() {
        let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
        for (line, id) in [
            (
                format!(r#"{{"jsonrpc":"2.0","id":7,"method":"x","params":{deep}}}"#),
                json!(7),
            ),
            (
                format!(r#"{{"params":{deep},"id":"a\"b","method":"x"}}"#),
                json!("a\"b"),
            ),
            (r#"{"id":-3,"params":{"n":1e400}}"#.to_owned(), json!(-3)),
            (
                r#" {"id" : "q", "params":{"s":"\ud800 ]}"}} "#.to_owned(),
                json!("q"),
            ),
            (r#"{"\u0069d":5}"#.to_owned(), json!(5)),
        ] {
            assert_eq!(readable(&line), Some(id), "{line}");
        }
    }

    #[test]
    fn floats_and_unreadable_or_unfinished_ids_are_told_apart() {
        for line in [
            r#"{"id":1.0e2}"#,
            r#"{"id":1e-400}"#,
            r#"{"id":1.5}"#,
            r#"{"id":2E1}"#,
        ] {
            assert!(matches!(raw_id(line.as_bytes()), RawId::Float), "{line}");
        }
        for line in [
            r#"{"id":"\ud800"}"#,
            r#"{"id":null}"#,
            r#"{"id":99999999999999999999}"#,
        ] {
            assert!(
                matches!(raw_id(line.as_bytes()), RawId::Unreadable),
                "{line}"
            );
        }
        for line in [
            r#"{"id":1,"method":"#,
            r#"{"id":1,"params":[[]}"#,
            r#"{"id":1} x"#,
            r#"{"id":1,"id":2}"#,
            r#"[{"id":1}]"#,
            r#"{"method":"ping"}"#,
            "",
        ] {
            assert!(matches!(raw_id(line.as_bytes()), RawId::Unknown), "{line}");
        }
    }
}
