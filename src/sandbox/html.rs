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

/// HTML as plain text, read by the server's own reader (`output::plain_text`) so that there
/// is one reading of HTML: entities decoded, links as numbered references. Blank lines are
/// dropped: the sandbox's plain text has always put each paragraph on the next line.
pub fn plain_text(html: &str) -> String {
    let text = crate::output::plain_text(html);
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    lines.join("\n")
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
