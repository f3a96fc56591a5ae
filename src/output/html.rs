//! HTML bodies → plain text (rule 6). Intercom's composer writes a small HTML: paragraphs,
//! line breaks, links and inline emphasis. That is read here in one pass; anything else
//! (lists, headings, tables, images, comments, an entity or attribute this reader does not
//! know) goes to html2text. On what it takes, this reader gives exactly html2text's text: the
//! tests compare the two on generated HTML and on every body in the fixtures. It exists for
//! cost: html2text builds a whole document tree, about 45,000 instructions for one short
//! reply (docs/performance.md).
//!
//! It is the server's one reader of HTML: the sandbox's plain text and the excerpt of an
//! HTML error page (`error.rs`) read through `plain_text` too.

/// HTML → plain text, links as `[text][1]` with `[1]: url` after the text.
pub fn plain_text(html: &str) -> String {
    simple(html).unwrap_or_else(|| full(html))
}

/// html2text's reading, for HTML of any kind.
fn full(html: &str) -> String {
    html2text::config::plain_no_decorate()
        .link_footnotes(true)
        .string_from_read(html.as_bytes(), usize::MAX >> 8)
        .map(|text| text.trim().to_owned())
        .unwrap_or_else(|_| html.to_owned())
}

/// What one pass has written so far.
#[derive(Default)]
struct Text {
    out: String,
    /// Whitespace seen since the last word: written as one space before the next word.
    space: bool,
    /// A paragraph ended since the last word: a blank line is owed before the next.
    paragraph: bool,
    /// The last thing read was a paragraph's start (`<p>`): nothing in it yet.
    paragraph_opened: bool,
    /// Line breaks (`<br>`) since the last word, each owing a new line.
    breaks: usize,
    links: Vec<String>,
    /// The target of the link being read, and whether its text has begun (with its `[`).
    open_link: Option<(String, bool)>,
    /// Whitespace or a line break inside the open link, before its first word.
    gap_in_link: bool,
    /// Inside a `<p>` not yet closed.
    in_paragraph: bool,
    /// The inline elements open, innermost last (`b`, `i`, …, and `a`). HTML's parser
    /// rebuilds what closes out of order, which can split a link in two: left to html2text.
    open: Vec<&'static str>,
}

impl Text {
    fn word(&mut self, word: &str) -> Option<()> {
        // Whitespace beyond HTML's own (a line separator, an ideographic space) and words of
        // no-break spaces only: html2text weighs those as it sees fit.
        if word.chars().all(char::is_whitespace)
            || word
                .chars()
                .any(|c| (c.is_whitespace() && c != '\u{A0}') || is_unseen(c))
        {
            return None;
        }
        if let Some((_, begun @ false)) = &mut self.open_link {
            // Where html2text puts whitespace that opens a link's text is its own business.
            if self.gap_in_link {
                return None;
            }
            *begun = true;
            self.before_word();
            self.out.push('[');
        } else {
            self.before_word();
        }
        self.out.push_str(word);
        Some(())
    }

    /// The pending space or new lines, written before a word.
    fn before_word(&mut self) {
        // Nothing goes before the first word: html2text's text is trimmed.
        let lines = if self.paragraph { 2 } else { self.breaks };
        if !self.out.is_empty() {
            if lines > 0 {
                (0..lines).for_each(|_| self.out.push('\n'));
            } else if self.space {
                self.out.push(' ');
            }
        }
        self.paragraph = false;
        self.paragraph_opened = false;
        self.breaks = 0;
        self.space = false;
    }

    fn text(&mut self, text: &str) -> Option<()> {
        let mut rest = text;
        while !rest.is_empty() {
            let start = rest.trim_start_matches(is_space);
            if start.len() < rest.len() {
                self.space = true;
                self.gap_in_link |= self.open_link.is_some();
            }
            let end = start.find(is_space).unwrap_or(start.len());
            let (word, after) = start.split_at(end);
            if !word.is_empty() {
                self.word(word)?;
            }
            rest = after;
        }
        Some(())
    }

    /// How html2text counts line breaks that meet a paragraph's edge, or lays out a paragraph
    /// inside a link or emphasis, is its own: left to it.
    fn paragraph_edge(&mut self) -> Option<()> {
        (self.breaks == 0 && self.open.is_empty()).then(|| self.paragraph = true)
    }

    /// A paragraph's start. One inside another is HTML's parser's to sort out: left to it.
    fn paragraph_start(&mut self) -> Option<()> {
        if std::mem::replace(&mut self.in_paragraph, true) {
            return None;
        }
        self.paragraph_edge()?;
        self.paragraph_opened = true;
        Some(())
    }

    /// A paragraph's end. An empty paragraph after some text is left to html2text, which
    /// may keep a line for it, and so is an end with no start.
    fn paragraph_end(&mut self) -> Option<()> {
        if (self.paragraph_opened && !self.out.is_empty()) || !self.in_paragraph {
            return None;
        }
        self.in_paragraph = false;
        self.paragraph_edge()
    }

    fn line_break(&mut self) -> Option<()> {
        if self.paragraph {
            return None;
        }
        self.breaks += 1;
        self.gap_in_link |= self.open_link.is_some();
        Some(())
    }
}

/// Controls and characters of no width (zero-width spaces and joiners, direction marks, the
/// byte order mark, soft hyphens): html2text drops or breaks on some of them.
fn is_unseen(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

/// HTML's whitespace (a no-break space is not).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C')
}

/// The one-pass reading, or `None` where html2text must read it.
fn simple(html: &str) -> Option<String> {
    let mut text = Text::default();
    let mut rest = html;
    while !rest.is_empty() {
        let open = rest.find('<').unwrap_or(rest.len());
        let (words, after) = rest.split_at(open);
        text.text(&decode(words)?)?;
        if after.is_empty() {
            break;
        }
        let close = after.find('>')?;
        let tag = after.get(1..close)?;
        rest = after.get(close + 1..)?;
        element(&mut text, tag)?;
    }
    // Line breaks that end a text with links move its notes: html2text's to place.
    if text.open_link.is_some() || (text.breaks > 0 && !text.links.is_empty()) {
        return None;
    }
    let mut out = text.out;
    if !text.links.is_empty() {
        out.push_str("\n\n");
        for (number, target) in text.links.iter().enumerate() {
            out.push_str(&format!("[{}]: {target}\n", number + 1));
        }
    }
    Some(out.trim().to_owned())
}

/// The inline elements read here; in plain text they only wrap their words.
const INLINE: [&str; 6] = ["b", "strong", "i", "em", "u", "span"];

/// One tag, `<` and `>` left off.
fn element(text: &mut Text, tag: &str) -> Option<()> {
    let (closing, tag) = match tag.strip_prefix('/') {
        Some(name) => (true, name),
        None => (false, tag.strip_suffix('/').unwrap_or(tag)),
    };
    let name_end = tag.find(is_space).unwrap_or(tag.len());
    let (name, attributes) = tag.split_at(name_end);
    let name = name.to_ascii_lowercase();
    match (name.as_str(), closing) {
        ("p", false) => {
            attributes_without_href(attributes)?;
            text.paragraph_start()?;
        }
        ("p", true) => text.paragraph_end()?,
        ("br", false) => {
            attributes_without_href(attributes)?;
            text.line_break()?;
        }
        (inline @ ("b" | "strong" | "i" | "em" | "u" | "span"), false) => {
            attributes_without_href(attributes)?;
            text.open
                .push(INLINE.iter().find(|known| **known == inline)?);
        }
        (inline @ ("b" | "strong" | "i" | "em" | "u" | "span"), true) => {
            (text.open.pop()? == inline).then_some(())?;
        }
        ("a", false) => {
            if text.open_link.is_some() {
                return None;
            }
            let href = href(attributes)?;
            text.open_link = Some((href, false));
            text.gap_in_link = false;
            text.open.push("a");
        }
        ("a", true) => {
            (text.open.pop()? == "a").then_some(())?;
            // A link without text is html2text's to place.
            let (href, true) = text.open_link.take()? else {
                return None;
            };
            // Nor whitespace that ends it.
            if text.breaks > 0 || text.paragraph || text.space {
                return None;
            }
            text.links.push(href);
            text.out.push_str(&format!("][{}]", text.links.len()));
        }
        _ => return None,
    }
    Some(())
}

/// `name="value"` pairs: their values, or `None` for anything else.
fn attributes(mut rest: &str) -> Option<Vec<(String, String)>> {
    let mut found = Vec::new();
    loop {
        rest = rest.trim_start_matches(is_space);
        if rest.is_empty() {
            return Some(found);
        }
        let equals = rest.find('=')?;
        let name = rest.get(..equals)?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return None;
        }
        let after = rest.get(equals + 1..)?;
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let value_end = after.get(1..)?.find(quote)? + 1;
        let value = decode(after.get(1..value_end)?)?;
        // HTML's parser rewrites line ends and NULs in values: left to it.
        if value.chars().any(is_unseen) {
            return None;
        }
        found.push((name.to_ascii_lowercase(), value.into_owned()));
        rest = after.get(value_end + 1..)?;
    }
}

/// Attributes that change nothing in plain text (a class, a style); an `href` outside a link
/// is left to html2text.
fn attributes_without_href(rest: &str) -> Option<()> {
    let found = attributes(rest)?;
    found.iter().all(|(name, _)| name != "href").then_some(())
}

/// The `href` of a link, its only attribute that matters here.
fn href(rest: &str) -> Option<String> {
    let found = attributes(rest)?;
    let mut hrefs = found.into_iter().filter(|(name, _)| name == "href");
    let (_, target) = hrefs.next()?;
    (hrefs.next().is_none() && !target.is_empty()).then_some(target)
}

/// Text with its character references decoded, or `None` for one this reader does not know.
fn decode(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !text.contains('&') {
        return Some(std::borrow::Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(rest.get(..at)?);
        let after = rest.get(at + 1..)?;
        let end = after.find(';')?;
        let name = after.get(..end)?;
        let decoded = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{A0}',
            _ => {
                let number = name.strip_prefix('#')?;
                // Digits only: Rust's parsers would also take a sign, HTML does not.
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) if hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                        u32::from_str_radix(hex, 16).ok()?
                    }
                    None if number.bytes().all(|b| b.is_ascii_digit()) => number.parse().ok()?,
                    _ => return None,
                };
                // Controls and the like are decoded by HTML's own table: html2text's work.
                char::from_u32(code).filter(|c| !c.is_control() && code >= 0x20)?
            }
        };
        out.push(decoded);
        rest = after.get(end + 1..)?;
    }
    out.push_str(rest);
    Some(std::borrow::Cow::Owned(out))
}

#[cfg(test)]
mod tests;
