//! Sentiment of a customer's message: positive, neutral or negative. English text is scored by
//! VADER (the vader-parity crate, which matches the reference Python package's scores: a
//! lexicon and rules tuned to social media, with negations, boosters, emoticons and emoji; a
//! faster port was tried first and read "not good" as positive). Other languages have no lexicon here: only their
//! emoji and emoticons are scored, and a message without any counts as unknown rather than as
//! a wrong guess.

use std::sync::LazyLock;

use vader_parity::SentimentIntensityAnalyzer;

pub use crate::model::Sentiment;

static ANALYZER: LazyLock<SentimentIntensityAnalyzer> =
    LazyLock::new(SentimentIntensityAnalyzer::new);

/// VADER's usual cut-offs on the compound score.
const THRESHOLD: f64 = 0.05;

pub fn of(text: &str) -> Option<Sentiment> {
    // One pass over the text: its letters, and how many of them are Latin.
    let (letters, latin) = text.chars().fold((0usize, 0usize), |(letters, latin), c| {
        if c.is_ascii_alphabetic() {
            (letters + 1, latin + 1)
        } else if !c.is_ascii() && c.is_alphabetic() {
            (letters + 1, latin)
        } else {
            (letters, latin)
        }
    });
    // Mostly Latin letters: read as English. Otherwise only the emoji speak.
    let score = if letters == 0 || latin * 10 >= letters * 9 {
        ANALYZER.polarity_scores(text).compound
    } else {
        let signs: String = text
            .chars()
            .filter(|c| !c.is_alphanumeric() && !c.is_whitespace() && !c.is_ascii_punctuation())
            .map(|c| format!("{c} "))
            .collect();
        if signs.trim().is_empty() {
            return None;
        }
        ANALYZER.polarity_scores(&signs).compound
    };
    Some(if score >= THRESHOLD {
        Sentiment::Positive
    } else if score <= -THRESHOLD {
        Sentiment::Negative
    } else {
        Sentiment::Neutral
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_scored_and_other_languages_only_by_their_emoji() {
        assert_eq!(
            of("Thank you so much, you're the best!"),
            Some(Sentiment::Positive)
        );
        assert_eq!(
            of("My order is late again. Terrible service!"),
            Some(Sentiment::Negative)
        );
        assert_eq!(of("The coffee was not good."), Some(Sentiment::Negative));
        assert_eq!(of("What time do you open?"), Some(Sentiment::Neutral));
        assert_eq!(
            of("배송은 언제예요?"),
            None,
            "no lexicon, no emoji: unknown"
        );
        assert_eq!(of("감사합니다 😍"), Some(Sentiment::Positive));
        assert_eq!(of("لم يصل طلبي 😠"), Some(Sentiment::Negative));
    }
}
