//! How each network counts the length of a post.

use unicode_segmentation::UnicodeSegmentation;

/// How a network counts the length of a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LengthUnit {
    /// Unicode scalar values (Mastodon, Facebook).
    Characters,
    /// User-perceived characters: an emoji family counts once (Bluesky).
    Graphemes,
    /// X's weighted count (twitter-text, version 3): Latin and most European scripts count
    /// 1, other scripts (CJK, …) 2, an emoji (even a sequence) 2, and any link 23.
    XWeighted,
}

/// What a link counts on X, whatever its length (links are shortened to t.co).
const X_LINK: usize = 23;

impl LengthUnit {
    pub fn count(self, text: &str) -> usize {
        match self {
            LengthUnit::Characters => text.chars().count(),
            LengthUnit::Graphemes => text.graphemes(true).count(),
            LengthUnit::XWeighted => x_weighted(text),
        }
    }
}

fn x_weighted(text: &str) -> usize {
    let weigh = |part: &str| part.graphemes(true).map(grapheme_weight).sum::<usize>();
    let mut total = weigh(text);
    // A link counts 23 instead of its own weight.
    for token in text.split_whitespace() {
        if let Some(start) = token.find("https://").or_else(|| token.find("http://")) {
            total = total - weigh(&token[start..]) + X_LINK;
        }
    }
    total
}

fn grapheme_weight(grapheme: &str) -> usize {
    if is_emoji(grapheme) {
        return 2;
    }
    grapheme.chars().map(char_weight).sum()
}

/// Characters in these ranges weigh 1 (twitter-text's configuration), every other one 2.
fn char_weight(c: char) -> usize {
    match u32::from(c) {
        0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247 => 1,
        _ => 2,
    }
}

/// An emoji grapheme: a pictograph, a keycap or flag sequence, or anything joined by ZWJ or
/// shown as emoji with VS16.
fn is_emoji(grapheme: &str) -> bool {
    grapheme.chars().any(|c| {
        matches!(u32::from(c), 0x1F000..=0x1FAFF | 0x200D | 0xFE0F | 0x20E3)
            || (matches!(u32::from(c), 0x2600..=0x27BF) && grapheme.chars().count() > 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_counts_latin_once_cjk_twice_emoji_twice_and_links_as_23() {
        let x = LengthUnit::XWeighted;
        assert_eq!(x.count("hello"), 5);
        assert_eq!(x.count("café"), 4);
        assert_eq!(x.count("مرحبا"), 5, "Arabic is in the light range");
        assert_eq!(x.count("안녕"), 4);
        assert_eq!(x.count("你好"), 4);
        assert_eq!(x.count("👍"), 2);
        assert_eq!(x.count("👨‍👩‍👧"), 2, "a family is one emoji");
        assert_eq!(x.count("🇰🇷"), 2);
        assert_eq!(
            x.count("see https://example.com/a/very/long/path?x=1 now"),
            4 + 23 + 4
        );
        assert_eq!(x.count(&"a".repeat(280)), 280);
        assert_eq!(x.count(&"가".repeat(140)), 280);
    }

    #[test]
    fn characters_and_graphemes() {
        assert_eq!(LengthUnit::Characters.count("👨‍👩‍👧"), 5);
        assert_eq!(LengthUnit::Graphemes.count("👨‍👩‍👧"), 1);
    }
}
