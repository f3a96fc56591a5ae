//! Paging: cursor pages (contacts, conversations, searches) and numbered pages (companies),
//! with the `pages` object Intercom puts beside the items.
//!
//! A cursor is opaque to clients, like Intercom's: base64 of `[next page, last id, offset]`.
//! The last id keeps a walk steady when records before it change; the offset is the fallback
//! when that record is gone from the results.

use serde_json::{Value, json};

/// The largest page Intercom serves.
pub const MAX_PER_PAGE: usize = 150;

/// One page of items, and the `pages` object that describes it.
pub struct Page {
    pub items: Vec<Value>,
    pub pages: Value,
    pub total: usize,
}

/// `per_page` as given (a query string or a JSON number), checked against 1..=150.
pub fn per_page(given: Option<&Value>, default: usize) -> Result<usize, String> {
    let Some(given) = given.filter(|given| !given.is_null()) else {
        return Ok(default);
    };
    let number = match given {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    };
    match number.and_then(|n| usize::try_from(n).ok()) {
        Some(n) if (1..=MAX_PER_PAGE).contains(&n) => Ok(n),
        _ => Err(format!(
            "per_page must be a whole number from 1 to {MAX_PER_PAGE}, got {given}"
        )),
    }
}

/// The page of `items` after the cursor `after` (the first page without one).
pub fn by_cursor(items: Vec<Value>, per_page: usize, after: Option<&str>) -> Result<Page, String> {
    let total = items.len();
    let (start, page) = match after.filter(|cursor| !cursor.is_empty()) {
        None => (0, 1),
        Some(cursor) => {
            let (page, last_id, offset) = decode_cursor(cursor).ok_or_else(|| {
                format!("starting_after {cursor:?} is not a cursor this workspace gave out")
            })?;
            let start = items
                .iter()
                .position(|item| item.get("id").and_then(Value::as_str) == Some(&last_id))
                .map_or(offset.min(total), |found| found + 1);
            (start, page)
        }
    };
    let items: Vec<Value> = items.into_iter().skip(start).take(per_page).collect();
    let end = start + items.len();
    let mut pages = json!({
        "type": "pages",
        "page": page,
        "per_page": per_page,
        "total_pages": total.div_ceil(per_page),
    });
    if end < total
        && let (Some(last), Value::Object(map)) =
            (items.last().and_then(|item| item.get("id")), &mut pages)
    {
        let cursor = encode_cursor(page + 1, last.as_str().unwrap_or_default(), end);
        map.insert(
            "next".to_owned(),
            json!({"page": page + 1, "starting_after": cursor}),
        );
    }
    Ok(Page {
        items,
        pages,
        total,
    })
}

/// Page `page` (from 1) of `items`, `per_page` at a time.
pub fn by_number(items: Vec<Value>, page: usize, per_page: usize) -> Page {
    let total = items.len();
    let total_pages = total.div_ceil(per_page);
    let start = page.saturating_sub(1).saturating_mul(per_page);
    let items: Vec<Value> = items.into_iter().skip(start).take(per_page).collect();
    let mut pages = json!({
        "type": "pages",
        "page": page,
        "per_page": per_page,
        "total_pages": total_pages,
    });
    if page < total_pages
        && let Value::Object(map) = &mut pages
    {
        map.insert(
            "next".to_owned(),
            json!({"page": page + 1, "per_page": per_page}),
        );
    }
    Page {
        items,
        pages,
        total,
    }
}

fn encode_cursor(page: usize, last_id: &str, offset: usize) -> String {
    base64_encode(json!([page, last_id, offset]).to_string().as_bytes())
}

fn decode_cursor(cursor: &str) -> Option<(usize, String, usize)> {
    let bytes = base64_decode(cursor.trim())?;
    let parts: Vec<Value> = serde_json::from_slice(&bytes).ok()?;
    let [page, last_id, offset] = parts.as_slice() else {
        return None;
    };
    let number = |value: &Value| value.as_u64().and_then(|n| usize::try_from(n).ok());
    Some((
        number(page)?.max(2),
        last_id.as_str()?.to_owned(),
        number(offset)?,
    ))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding: what Intercom's cursors look like. Too small a need to add
/// a crate for.
fn base64_encode(bytes: &[u8]) -> String {
    let symbol =
        |index: u32| char::from(ALPHABET.get((index & 63) as usize).copied().unwrap_or(b'A'));
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let triple = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        out.push(symbol(triple >> 18));
        out.push(symbol(triple >> 12));
        out.push(if chunk.len() > 1 {
            symbol(triple >> 6)
        } else {
            '='
        });
        out.push(if chunk.len() > 2 { symbol(triple) } else { '=' });
    }
    out
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let value = ALPHABET.iter().position(|&symbol| symbol == c)?;
        buffer = (buffer << 6) | u32::try_from(value).ok()?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for text in ["", "a", "ab", "abc", "[2,\"65f0\",50]"] {
            let encoded = base64_encode(text.as_bytes());
            assert_eq!(encoded.len() % 4, 0);
            assert_eq!(base64_decode(&encoded).unwrap(), text.as_bytes());
        }
        assert_eq!(base64_encode(b"[1"), "WzE=");
    }

    #[test]
    fn a_cursor_walk_visits_every_item_once() {
        let items: Vec<Value> = (0..7).map(|i| json!({"id": format!("c{i}")})).collect();
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = by_cursor(items.clone(), 3, after.as_deref()).unwrap();
            seen.extend(page.items.iter().map(|item| item["id"].clone()));
            match page.pages.pointer("/next/starting_after") {
                Some(Value::String(cursor)) => after = Some(cursor.clone()),
                _ => break,
            }
        }
        assert_eq!(seen.len(), 7);
        assert_eq!(seen[6], "c6");
        assert!(by_cursor(items, 3, Some("not a cursor!")).is_err());
    }

    #[test]
    fn numbered_pages_say_how_many_there_are() {
        let items: Vec<Value> = (0..5).map(|i| json!({"id": i.to_string()})).collect();
        let page = by_number(items, 2, 2);
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.pages["total_pages"], 3);
        assert_eq!(page.pages["next"]["page"], 3);
    }
}
