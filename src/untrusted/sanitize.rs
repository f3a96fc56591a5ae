//! Invisible text removed from what Intercom returns before the model reads it. A customer can
//! hide instructions in characters a person never sees: zero-width characters, Unicode tag
//! characters (an invisible copy of ASCII), BiDi overrides and isolates that make text read
//! differently from how it is stored. These go; every visible character (any script, emoji,
//! accents) stays, and line separators become `\n`.

use std::borrow::Cow;

/// Characters that render as nothing (or only reorder others) and carry no meaning a reader
/// of a support conversation needs.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                   // soft hyphen
        | '\u{034F}'                 // combining grapheme joiner
        | '\u{061C}'                 // Arabic letter mark
        | '\u{115F}' | '\u{1160}'    // Hangul fillers
        | '\u{17B4}' | '\u{17B5}'    // Khmer inherent vowels
        | '\u{180B}'..='\u{180F}'    // Mongolian selectors and vowel separator
        | '\u{200B}' | '\u{200C}'    // zero-width space, non-joiner
        | '\u{200E}' | '\u{200F}'    // left-to-right, right-to-left marks
        | '\u{202A}'..='\u{202E}'    // BiDi embeddings and overrides
        | '\u{2060}'..='\u{2064}'    // word joiner, invisible operators
        | '\u{2066}'..='\u{206F}'    // BiDi isolates, deprecated format characters
        | '\u{3164}' | '\u{FFA0}'    // Hangul fillers
        | '\u{FEFF}'                 // zero-width no-break space (BOM)
        | '\u{FFF9}'..='\u{FFFB}'    // interlinear annotation
        | '\u{1D173}'..='\u{1D17A}'  // musical formatting
        | '\u{E0000}'..='\u{E007F}'  // tag characters
    ) || (c.is_control() && c != '\n' && c != '\t')
}

/// Pictographs that a zero-width joiner binds into one emoji (👩‍💻): the joiner stays
/// between two of these, so the emoji is kept as it was written.
fn is_pictograph(c: char) -> bool {
    matches!(c,
        '\u{2600}'..='\u{27BF}'
        | '\u{2B00}'..='\u{2BFF}'
        | '\u{FE0F}'
        | '\u{1F000}'..='\u{1FAFF}'
    )
}

/// `text` without invisible characters, with `\r\n`, `\r`, NEL, U+2028 and U+2029 as `\n`.
/// Borrowed when nothing changes, which is nearly always.
pub fn clean(text: &str) -> Cow<'_, str> {
    // Nearly all text is plain ASCII, settled a byte at a time; from the first byte that is not
    // (a boundary, as every byte before it is ASCII), character by character.
    let first = text.bytes().position(|byte| {
        !byte.is_ascii() || (byte.is_ascii_control() && byte != b'\n' && byte != b'\t')
    });
    let needs_work = first.and_then(|at| text.get(at..)).is_some_and(|rest| {
        rest.chars().any(|c| {
            c == '\r' || c == '\u{200D}' || c == '\u{2028}' || c == '\u{2029}' || is_invisible(c)
        })
    });
    if !needs_work {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut previous = None;
    while let Some(c) = chars.next() {
        let kept = match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                Some('\n')
            }
            '\u{0085}' | '\u{2028}' | '\u{2029}' => Some('\n'),
            '\u{200D}' => (previous.is_some_and(is_pictograph)
                && chars.peek().copied().is_some_and(is_pictograph))
            .then_some(c),
            c if is_invisible(c) => None,
            c => Some(c),
        };
        if let Some(kept) = kept {
            out.push(kept);
            previous = Some(kept);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_go_and_visible_ones_stay() {
        let cases = [
            ("plain text", "plain text"),
            (
                "zero\u{200B}width\u{FEFF} joiners\u{2060}",
                "zerowidth joiners",
            ),
            (
                "\u{202E}evil\u{202C} \u{2067}isolate\u{2069}",
                "evil isolate",
            ),
            (
                "hi\u{E0049}\u{E0067}\u{E006E}\u{E006F}\u{E0072}\u{E0065}",
                "hi",
            ),
            ("a\r\nb\rc\u{2028}d\u{2029}e\u{0085}f", "a\nb\nc\nd\ne\nf"),
            ("bell\u{7} and \u{1B}[31m", "bell and [31m"),
            ("日本語 العربية émoji 👍🏽 ñ", "日本語 العربية émoji 👍🏽 ñ"),
            (
                "family 👩\u{200D}💻 and a\u{200D}b",
                "family 👩\u{200D}💻 and ab",
            ),
            ("tab\tand\nnewline", "tab\tand\nnewline"),
            ("soft\u{00AD}hyphen", "softhyphen"),
        ];
        for (raw, expected) in cases {
            assert_eq!(clean(raw), expected, "{raw:?}");
        }
        assert!(matches!(clean("nothing to do"), Cow::Borrowed(_)));
    }

    /// The byte scan that settles plain ASCII agrees with the character rule on every ASCII
    /// character, and hands over to it at the first character that is not ASCII.
    #[test]
    fn plain_ascii_is_settled_a_byte_at_a_time() {
        for byte in 0u8..128 {
            let c = char::from(byte);
            let text = format!("a{c}b");
            let kept = !c.is_control() || c == '\n' || c == '\t';
            assert_eq!(matches!(clean(&text), Cow::Borrowed(_)), kept, "{c:?}");
        }
        assert_eq!(
            clean("plain ascii, then\u{200B} é\u{7F}"),
            "plain ascii, then é"
        );
        assert!(matches!(clean("plain ascii, then é"), Cow::Borrowed(_)));
    }
}
