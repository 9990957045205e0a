use std::time::Duration;

use super::text::{detect_language, language_named};
use super::*;

fn subject(text: &str) -> Subject<'_> {
    Subject {
        text,
        kind: ConversationKind::Comment,
        network: NetworkKind::Demo,
        account: "kettle",
        language: detect_language(text),
        sentiment: crate::sentiment::of(text),
        author_vip: false,
    }
}

fn matches(condition: &str, text: &str) -> bool {
    let rule = Rule {
        name: "r".into(),
        when: condition.into(),
        condition: parse_condition(condition).unwrap_or_else(|e| panic!("{condition}: {e}")),
        actions: vec![RuleAction::Close],
        stop: false,
    };
    !RuleSet { rules: vec![rule] }
        .evaluate(&subject(text))
        .is_empty()
}

#[test]
fn contains_is_case_and_accent_insensitive_at_word_starts() {
    assert!(matches("contains pay", "My PAYMENT page won't load"));
    assert!(matches("contains pago", "La página de PÁGO no carga"));
    assert!(matches(
        "contains \"payment page\"",
        "the payment   page is down"
    ));
    assert!(!matches(
        "contains \"payment page\"",
        "payment for the page"
    ));
    assert!(
        !matches("contains pay", "repay me"),
        "only at the start of words"
    );
    assert!(matches("contains #sale", "Is the #SaleWeek on?"));
    assert!(matches("contains cafe", "un café por favor"));
    assert!(
        matches("contains 支付", "支付页面打不开"),
        "scripts without spaces match anywhere"
    );
    assert!(matches("contains 결제", "결제가 두 번 됐어요"));
    assert!(matches("contains الدفع", "صفحة الدفع لا تفتح"));
}

#[test]
fn links_are_left_out_unless_asked_for() {
    let text = "see https://pay.example.com/help";
    assert!(!matches("contains pay", text));
    assert!(matches("contains pay including links", text));
}

#[test]
fn only_mentions_begins_with_and_the_other_filters() {
    assert!(matches("contains only mentions", "@anna @bob.smith"));
    assert!(!matches("contains only mentions", "@anna look at this"));
    assert!(matches("begins with \"urgent\"", "  Urgent: refund please"));
    assert!(!matches("begins with urgent", "not urgent"));
    assert!(matches("account is KETTLE", "x"));
    assert!(!matches("account other", "x"));
    assert!(matches("type is comment", "x") && !matches("type is dm", "x"));
    assert!(!matches("type is \"ad comment\"", "x"));
    assert!(matches("network is demo", "x"));
    assert!(matches("language is chinese", "每月订阅多少钱？包邮吗？"));
    assert!(matches(
        "language is es",
        "¿Tenéis opción descafeinada para la suscripción?"
    ));
    assert!(!matches("author is vip", "x"));
}

#[test]
fn conditions_combine_with_and_or_not_all_any() {
    assert!(matches(
        "contains pay and not contains thanks",
        "payment broken"
    ));
    assert!(!matches(
        "contains pay and not contains thanks",
        "payment works, thanks"
    ));
    assert!(matches("contains refund or contains pay", "refund me"));
    assert!(matches(
        "all(contains pay, any(contains broken, contains down))",
        "payment page down"
    ));
    assert!(!matches(
        "all(contains pay, any(contains broken, contains down))",
        "payment page fine"
    ));
    assert!(matches("not (contains a or contains b)", "xyz"));
}

#[test]
fn rules_run_in_order_and_stop_stops() {
    let rule = |name: &str, when: &str, action: &str, stop: bool| Rule {
        name: name.into(),
        when: when.into(),
        condition: parse_condition(when).unwrap(),
        actions: vec![parse_action(action).unwrap()],
        stop,
    };
    let rules = RuleSet {
        rules: vec![
            rule("spam", "contains only mentions", "close", true),
            rule("pay", "contains pay", "tag Payment", false),
            rule("urgent", "contains urgent", "priority urgent", true),
            rule("never", "contains urgent", "assign jack", false),
        ],
    };
    let hits = rules.evaluate(&subject("URGENT: payment failed"));
    let names: Vec<&str> = hits.iter().map(|h| h.rule.as_str()).collect();
    assert_eq!(names, ["pay", "urgent"]);
    assert_eq!(hits[1].actions, vec![RuleAction::Priority(2)]);
    let hits = rules.evaluate(&subject("@friend @other"));
    assert_eq!(hits.len(), 1, "the spam rule stops the rest");
}

#[test]
fn parse_errors_say_where() {
    let err = parse_condition("contains pay and").unwrap_err();
    assert_eq!((err.position, err.to_string()), (16, "column 17: expected a filter: contains, begins with, account, type, network, language or author".to_string()));
    let err = parse_condition("contains \"pay").unwrap_err();
    assert_eq!(err.position, 9);
    assert!(err.message.contains("never closed"));
    let err = parse_condition("language is klingon").unwrap_err();
    assert_eq!(err.position, 12);
    let err = parse_condition("all(contains a, contains b").unwrap_err();
    assert!(err.message.contains("expected ')'"));
    let err = parse_condition("contains a b").unwrap_err();
    assert_eq!(err.position, 11);
    assert!(
        parse_condition("smells funny")
            .unwrap_err()
            .message
            .contains("'smells' is not a filter")
    );
}

#[test]
fn actions_parse_and_print() {
    assert_eq!(
        parse_action("tag #Payment"),
        Ok(RuleAction::Tag("Payment".into()))
    );
    assert_eq!(
        parse_action("tag \"Needs review\""),
        Ok(RuleAction::Tag("Needs review".into()))
    );
    assert_eq!(
        parse_action("assign jack"),
        Ok(RuleAction::Assign("jack".into()))
    );
    assert_eq!(parse_action("priority high"), Ok(RuleAction::Priority(1)));
    assert_eq!(
        parse_action("snooze 4h"),
        Ok(RuleAction::Snooze(Duration::from_secs(4 * 3600)))
    );
    assert_eq!(parse_action("snooze 4h").unwrap().to_string(), "snooze 4h");
    assert!(
        parse_action("snooze soon")
            .unwrap_err()
            .contains("not a duration")
    );
    assert!(
        parse_action("explode")
            .unwrap_err()
            .contains("not an action")
    );
    assert!(
        parse_action("tag")
            .unwrap_err()
            .contains("needs a tag name")
    );
}

#[test]
fn language_names_and_codes() {
    assert_eq!(language_named("Chinese"), Some(whatlang::Lang::Cmn));
    assert_eq!(language_named("zh"), Some(whatlang::Lang::Cmn));
    assert_eq!(language_named("cmn"), Some(whatlang::Lang::Cmn));
    assert_eq!(language_named("greek"), Some(whatlang::Lang::Ell));
    assert_eq!(language_named("Esperanto"), Some(whatlang::Lang::Epo));
    assert_eq!(language_named("klingon"), None);
}

#[test]
fn only_rules_on_language_ask_for_detection() {
    let rule = |when: &str| Rule {
        name: "r".into(),
        when: when.into(),
        condition: parse_condition(when).unwrap(),
        actions: vec![RuleAction::Close],
        stop: false,
    };
    assert!(
        !RuleSet {
            rules: vec![rule("contains pay")]
        }
        .uses_language()
    );
    assert!(
        RuleSet {
            rules: vec![
                rule("contains pay"),
                rule("not (contains a or language is zh)")
            ]
        }
        .uses_language()
    );
}

#[test]
fn sentiment_is_a_filter() {
    assert!(matches(
        "sentiment is negative",
        "Terrible service, I want a refund!"
    ));
    assert!(!matches("sentiment is negative", "Thanks, that worked!"));
    assert!(matches(
        "sentiment is positive and contains thanks",
        "Thanks, that worked!"
    ));
    assert!(
        !matches("sentiment is negative", "배송은 언제예요?"),
        "unknown is no match"
    );
}
