//! Untrusted text (every message, name and bio comes from strangers) made safe for a terminal,
//! and laid out by display width.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::model::Millis;

/// Makes text safe to put on a terminal: control characters (including ESC, which starts every
/// escape sequence, and the C1 controls some terminals obey) become visible symbols, and
/// explicit bidirectional overrides, which can make text show in an order it is not stored in,
/// are dropped. Newlines are kept; tabs become spaces. Arabic, Hebrew, CJK and emoji are untouched.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_care) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            '\r' => {}
            c if is_bidi_control(c) => {}
            c if c.is_control() => out.push(visible_control(c)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`sanitize`], for places that show one line: line breaks become spaces.
pub fn sanitize_line(text: &str) -> String {
    let clean = sanitize(text);
    if clean.contains('\n') {
        clean.replace('\n', " ")
    } else {
        clean.into_owned()
    }
}

fn needs_care(c: char) -> bool {
    (c.is_control() && c != '\n') || is_bidi_control(c)
}

/// LRE, RLE, PDF, LRO, RLO and the isolates LRI, RLI, FSI, PDI.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The Control Pictures block shows C0 controls as symbols (ESC as ␛); others become U+FFFD.
fn visible_control(c: char) -> char {
    match c as u32 {
        code @ 0x00..=0x1F => char::from_u32(0x2400 + code).unwrap_or('\u{FFFD}'),
        0x7F => '\u{2421}',
        _ => '\u{FFFD}',
    }
}

/// How many terminal columns `text` takes.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Cuts `text` to at most `max` columns, ending with '…' when something was cut. Never splits
/// a double-width character across the edge.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// Pads `text` with spaces to exactly `columns` columns (cutting it if it is wider).
pub fn fit(text: &str, columns: usize) -> String {
    let cut = truncate(text, columns);
    let pad = columns.saturating_sub(width(&cut));
    let mut out = cut.into_owned();
    out.extend(std::iter::repeat_n(' ', pad));
    out
}

/// Breaks text into lines of at most `columns` columns, at spaces where it can, inside a word
/// when a word is wider than a line (CJK text has no spaces to break at). Line breaks in the
/// text are kept. The text should already be sanitised.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in paragraph.split_inclusive(' ') {
            let word_width = width(word);
            let trimmed_width = width(word.trim_end());
            if used + trimmed_width > columns && used > 0 {
                lines.push(line.trim_end().to_owned());
                line.clear();
                used = 0;
            }
            if word_width <= columns.saturating_sub(used)
                || trimmed_width <= columns.saturating_sub(used)
            {
                line.push_str(word);
                used += word_width;
                continue;
            }
            // A word wider than a whole line: break it by character.
            for c in word.chars() {
                let w = c.width().unwrap_or(0);
                if used + w > columns && used > 0 {
                    lines.push(line.trim_end().to_owned());
                    line.clear();
                    used = 0;
                }
                line.push(c);
                used += w;
            }
        }
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// How long ago `at` was, in the largest unit that fits: "now", "5m", "3h", "2d", "6w".
pub fn age(at: Millis, now: Millis) -> String {
    let seconds = (now - at).max(0) / 1000;
    match seconds {
        0..60 => "now".into(),
        60..3600 => format!("{}m", seconds / 60),
        3600..86_400 => format!("{}h", seconds / 3600),
        86_400..1_209_600 => format!("{}d", seconds / 86_400),
        _ => format!("{}w", seconds / 604_800),
    }
}

/// A duration as "45m", "1h05m" (under two days), "2d03h".
pub fn duration(ms: Millis) -> String {
    let minutes = ms.max(0) / 60_000;
    match minutes {
        m if m < 60 => format!("{m}m"),
        m if m < 48 * 60 => format!("{}h{:02}m", m / 60, m % 60),
        m => format!("{}d{:02}h", m / (24 * 60), m % (24 * 60) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_breaks_at_spaces_and_inside_long_or_cjk_words() {
        assert_eq!(
            wrap("the quick brown fox", 10),
            vec!["the quick", "brown fox"]
        );
        assert_eq!(wrap("one\ntwo", 10), vec!["one", "two"]);
        assert_eq!(wrap("支付页面打不开", 6), vec!["支付页", "面打不", "开"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        for line in wrap("결제 페이지가 안 열려요! 오늘 꼭 갱신해야 하는데요.", 9)
        {
            assert!(width(&line) <= 9, "{line:?}");
        }
        assert_eq!(wrap("", 5), vec![""]);
    }

    #[test]
    fn ages_pick_the_largest_unit() {
        let now = 10_000_000_000;
        assert_eq!(age(now - 5_000, now), "now");
        assert_eq!(age(now - 5 * 60_000, now), "5m");
        assert_eq!(age(now - 3 * 3_600_000, now), "3h");
        assert_eq!(age(now - 2 * 86_400_000, now), "2d");
        assert_eq!(age(now - 30 * 86_400_000, now), "4w");
        assert_eq!(age(now + 60_000, now), "now");
    }

    #[test]
    fn escape_sequences_become_harmless_symbols() {
        let hostile = "a\u{1b}[2Jb\u{7}c\u{9b}31md\u{8}";
        let clean = sanitize(hostile);
        assert!(!clean.chars().any(|c| c.is_control()), "{clean:?}");
        assert_eq!(clean, "a\u{241b}[2Jb\u{2407}c\u{FFFD}31md\u{2408}");
    }

    #[test]
    fn ordinary_text_in_any_script_is_untouched_and_not_copied() {
        for text in [
            "hello",
            "مرحباً بك",
            "결제 페이지",
            "支付页面",
            "Καλημέρα",
            "☕✨🙌",
            "two\nlines",
        ] {
            assert!(matches!(sanitize(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn bidi_overrides_are_dropped_and_lines_joined() {
        assert_eq!(sanitize("abc\u{202E}fed\u{202C}"), "abcfed");
        assert_eq!(sanitize_line("one\r\ntwo\tthree"), "one two    three");
    }

    #[test]
    fn truncation_respects_double_width_characters() {
        assert_eq!(width("결제"), 4);
        assert_eq!(truncate("결제 페이지", 5), "결제…");
        assert_eq!(truncate("결제 페이지", 4), "결…");
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(fit("支付", 6), "支付  ");
        assert_eq!(width(&fit("支付页面打不开", 7)), 7);
    }
}
