//! HTML bodies, both ways: plain text a write gives becomes the one paragraph Intercom stores,
//! and stored HTML becomes the plain text searches and `display_as=plaintext` read.

/// Text for HTML bodies: plain text becomes one paragraph, as Intercom stores it.
pub fn html_body(text: &str) -> String {
    if text.contains('<') && text.contains('>') {
        text.to_owned()
    } else {
        let escaped = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        format!("<p>{escaped}</p>")
    }
}

/// HTML as plain text: tags dropped (paragraphs and line breaks become new lines), the
/// common entities decoded. Enough for the bodies this workspace holds.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open..).unwrap_or_default();
        let Some(close) = after.find('>') else {
            out.push_str(after);
            rest = "";
            break;
        };
        let tag = after.get(1..close).unwrap_or_default().to_ascii_lowercase();
        if tag == "/p" || tag.starts_with("br") {
            out.push('\n');
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_tags_and_decodes_entities() {
        assert_eq!(
            plain_text("<p>Fish &amp; chips</p><p>Two<br>lines</p>"),
            "Fish & chips\nTwo\nlines"
        );
    }
}
