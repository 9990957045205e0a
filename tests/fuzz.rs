#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! Hostile input, generated: property tests (proptest) over the text sanitiser and layout, the
//! rule language, the config parser and the Mastodon parsers. None may panic; no escape
//! sequence may come out of the sanitiser; layout never exceeds its width. The number of cases
//! is bounded (PROPTEST_CASES overrides it) so that CI runs them in seconds.

use hark::rules::{parse_action, parse_condition};
use hark::text::{fit, sanitize, sanitize_line, truncate, width, wrap};
use proptest::prelude::*;

/// RIGHT-TO-LEFT OVERRIDE, which can make text show in an order it is not stored in.
const RLO: char = '\u{202e}';

/// Text that looks like what strangers send: any character, with escape sequences, bidi
/// controls, wide characters and emoji well represented.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        any::<char>().prop_map(|c| c.to_string()),
        Just("\u{1b}[2J".to_string()),
        Just("\u{1b}]0;title\u{7}".to_string()),
        Just("\u{9b}31m".to_string()),
        Just("\u{202e}".to_string()),
        Just("결제".to_string()),
        Just("支付".to_string()),
        Just("👨‍👩‍👧".to_string()),
        Just("مرحبا".to_string()),
        Just("\r\n\t".to_string()),
    ];
    prop::collection::vec(pieces, 0..60).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_sanitiser_lets_no_control_character_through(text in hostile_text()) {
        let clean = sanitize(&text);
        prop_assert!(!clean.chars().any(|c| c.is_control() && c != '\n'), "{:?}", clean);
        prop_assert!(!clean.contains(RLO), "an override survived");
        prop_assert!(clean.chars().count() <= text.chars().count() * 4 + 1, "bounded growth");
        let line = sanitize_line(&text);
        prop_assert!(!line.contains('\n'));
    }

    #[test]
    fn layout_never_exceeds_its_width(text in hostile_text(), columns in 1usize..120) {
        let clean = sanitize_line(&text);
        prop_assert!(width(&truncate(&clean, columns)) <= columns);
        prop_assert_eq!(width(&fit(&clean, columns)), columns);
        for line in wrap(&sanitize(&text), columns) {
            // A single character wider than the line is the only thing allowed to overflow.
            prop_assert!(width(&line) <= columns.max(2), "{:?} wider than {}", line, columns);
        }
    }

    #[test]
    fn the_rule_language_never_panics(text in "\\PC{0,80}", words in prop::collection::vec("(contains|and|or|not|all|any|\\(|\\)|,|\"|language|is|type|author|vip|begins|with|pay|zh)", 0..12)) {
        let _ = parse_condition(&text);
        let _ = parse_condition(&words.join(" "));
        let _ = parse_action(&text);
    }

    #[test]
    fn the_config_parser_never_panics(text in "\\PC{0,200}") {
        let _ = hark::config::Config::parse(&text, std::path::Path::new("fuzz.toml"));
    }

    #[test]
    fn mastodon_parsers_take_any_json_without_panicking(json in arbitrary_json()) {
        let text = json.to_string();
        let _ = serde_json::from_str::<hark::networks::mastodon::model::Status>(&text);
        let _ = serde_json::from_str::<hark::networks::mastodon::model::Notification>(&text);
        let _ = serde_json::from_str::<Vec<hark::networks::mastodon::model::Conversation>>(&text);
        let _ = serde_json::from_str::<hark::networks::mastodon::model::Context>(&text);
    }

    #[test]
    fn status_html_becomes_text_without_panicking(html in "(<p>|</p>|<br>|<a href=\"x\">|</a>|<span class=\"invisible\">|</span>|&amp;|&#39;|&lt;|\\PC){0,60}") {
        let _ = hark::networks::mastodon::html_to_text(&html);
    }
}

fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "\\PC{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::hash_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("account".to_string()),
                    Just("status".to_string()),
                    Just("created_at".to_string()),
                    Just("content".to_string()),
                    Just("type".to_string()),
                    Just("acct".to_string()),
                    Just("ancestors".to_string()),
                    "[a-z_]{1,8}".prop_map(|s| s)
                ],
                inner,
                0..8
            )
            .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

#[test]
fn a_huge_message_is_laid_out_in_bounded_time_and_memory() {
    let huge = "A".repeat(2_000_000) + &"결제 ".repeat(200_000) + "\u{1b}[2J";
    let start = std::time::Instant::now();
    let clean = sanitize(&huge);
    assert!(!clean.contains('\u{1b}'));
    let lines = wrap(&clean, 80);
    assert!(lines.iter().all(|l| width(l) <= 80));
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}
