//! Text as the rules see it: case- and accent-insensitive words, links, mentions, languages.

use std::time::Duration;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lowercase without accents: "Café PAGO" → "cafe pago".
pub fn normalise(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Scripts written without spaces between words: each character counts as a word.
fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x0E00..=0x0E7F    // Thai
    )
}

/// The normalised words of a text; `#tags` and `@mentions` keep their sign.
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in normalise(text).chars() {
        if is_unspaced(c) {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            words.push(c.to_string());
        } else if c.is_alphanumeric() || c == '_' || ((c == '#' || c == '@') && word.is_empty()) {
            word.push(c);
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Whether the phrase's words appear one after another, each at the start of a word of the
/// text ("pay" is found in "Payment page").
pub fn contains_phrase(words: &[String], phrase: &[String]) -> bool {
    if phrase.is_empty() {
        return false;
    }
    words.windows(phrase.len()).any(|window| {
        window
            .iter()
            .zip(phrase)
            .all(|(word, wanted)| word.starts_with(wanted.as_str()))
    })
}

/// The text without web links.
pub fn without_links(text: &str) -> String {
    text.split_whitespace()
        .filter(|token| {
            let lower = token.to_ascii_lowercase();
            !(lower.starts_with("http://")
                || lower.starts_with("https://")
                || lower.starts_with("www."))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the text is only @mentions (someone tagging friends under a post).
pub fn only_mentions(text: &str) -> bool {
    let tokens: Vec<&str> = text
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric() && c != '@' && c != '_' && c != '.'))
        .filter(|t| !t.is_empty())
        .collect();
    !tokens.is_empty() && tokens.iter().all(|t| t.starts_with('@') && t.len() > 1)
}

/// The language a message is written in, when the text says so clearly enough. Short messages
/// in Latin script are often ambiguous ("Still waiting…" reads as Swedish to a trigram model);
/// those answer None rather than a wrong guess, so that a rule on language never misroutes.
pub fn detect_language(text: &str) -> Option<whatlang::Lang> {
    let clean = without_links(text);
    let letters = clean.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 3 {
        return None;
    }
    let info = whatlang::detect(&clean)?;
    (info.is_reliable() || info.confidence() >= MIN_CONFIDENCE).then(|| info.lang())
}

/// Below this confidence (and not judged reliable) a detected language is not trusted.
const MIN_CONFIDENCE: f64 = 0.5;

/// A language by English name, alias, or ISO 639-1/639-3 code ("chinese", "zh", "cmn").
pub fn language_named(name: &str) -> Option<whatlang::Lang> {
    use whatlang::Lang;
    let name = name.trim().to_lowercase();
    let alias = match name.as_str() {
        "chinese" | "mandarin" | "zh" => Some(Lang::Cmn),
        "english" | "en" => Some(Lang::Eng),
        "spanish" | "es" => Some(Lang::Spa),
        "arabic" | "ar" => Some(Lang::Ara),
        "korean" | "ko" => Some(Lang::Kor),
        "greek" | "el" => Some(Lang::Ell),
        "japanese" | "ja" => Some(Lang::Jpn),
        "french" | "fr" => Some(Lang::Fra),
        "german" | "de" => Some(Lang::Deu),
        "portuguese" | "pt" => Some(Lang::Por),
        "italian" | "it" => Some(Lang::Ita),
        "russian" | "ru" => Some(Lang::Rus),
        "hebrew" | "he" => Some(Lang::Heb),
        "turkish" | "tr" => Some(Lang::Tur),
        "dutch" | "nl" => Some(Lang::Nld),
        "hindi" | "hi" => Some(Lang::Hin),
        _ => None,
    };
    alias
        .or_else(|| Lang::from_code(name.as_str()))
        .or_else(|| {
            Lang::all()
                .iter()
                .copied()
                .find(|l| l.eng_name().eq_ignore_ascii_case(&name))
        })
}

/// "30m", "4h", "2d", "1w", "90s" (or a plain number of seconds).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim().to_lowercase();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        _ => return None,
    };
    (number > 0).then_some(())?;
    number.checked_mul(seconds).map(Duration::from_secs)
}

/// A duration in the largest whole unit: "4h", "2d".
pub fn duration_words(duration: Duration) -> String {
    let seconds = duration.as_secs();
    for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60)] {
        if seconds >= size && seconds.is_multiple_of(size) {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}
