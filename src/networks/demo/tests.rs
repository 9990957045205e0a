use std::collections::HashSet;
use std::sync::Arc;

use chrono::TimeZone;

use super::*;
use crate::clock::ManualClock;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap()
}

fn demo(settings: DemoSettings) -> (DemoNetwork, ManualClock) {
    let clock = ManualClock::new(start());
    (DemoNetwork::new(settings, Arc::new(clock.clone())), clock)
}

async fn fetch_all(
    network: &DemoNetwork,
    mut cursor: Option<String>,
) -> (Vec<IncomingItem>, Option<String>) {
    let mut items = Vec::new();
    loop {
        let page = network
            .fetch_since(STREAM, cursor.as_deref())
            .await
            .unwrap();
        items.extend(page.items);
        cursor = page.cursor;
        if !page.more {
            return (items, cursor);
        }
    }
}

#[tokio::test]
async fn the_same_seed_gives_the_same_inbox() {
    let (a, _) = demo(DemoSettings::default());
    let (b, _) = demo(DemoSettings::default());
    let (c, _) = demo(DemoSettings {
        seed: 7,
        ..DemoSettings::default()
    });
    let (items_a, _) = fetch_all(&a, None).await;
    let (items_b, _) = fetch_all(&b, None).await;
    let (items_c, _) = fetch_all(&c, None).await;
    assert_eq!(items_a, items_b);
    assert_ne!(items_a, items_c);
}

#[tokio::test]
async fn paging_delivers_every_conversation_once_and_then_nothing() {
    let (network, _) = demo(DemoSettings::default());
    let (items, cursor) = fetch_all(&network, None).await;
    let roots: HashSet<_> = items
        .iter()
        .map(|item| item.root_remote_id.clone())
        .collect();
    assert_eq!(roots.len(), 240);
    let ids: HashSet<_> = items
        .iter()
        .map(|item| item.message.remote_id.clone())
        .collect();
    assert_eq!(ids.len(), items.len(), "message ids are unique");
    let again = network
        .fetch_since(STREAM, cursor.as_deref())
        .await
        .unwrap();
    assert!(again.items.is_empty());
    assert!(!again.more);
}

#[tokio::test]
async fn the_inbox_is_varied_and_realistic() {
    let (network, _) = demo(DemoSettings::default());
    let (items, _) = fetch_all(&network, None).await;
    let kinds: HashSet<_> = items.iter().map(|item| item.kind).collect();
    assert_eq!(
        kinds.len(),
        4,
        "comments, ad comments, mentions and DMs: {kinds:?}"
    );
    let text: String = items
        .iter()
        .map(|item| item.message.text.as_str())
        .collect();
    // English, Spanish, Arabic, Korean, Chinese, Greek.
    for sample in [
        "payment page won't load",
        "¿",
        "الدفع",
        "결제",
        "支付",
        "Η σελίδα",
    ] {
        assert!(text.contains(sample), "no message contains {sample:?}");
    }
    assert!(
        text.contains('\u{1b}'),
        "one message tries to inject escape sequences"
    );
    assert!(
        items
            .iter()
            .any(|item| item.message.direction == Direction::Out)
    );
    assert!(items.iter().all(|item| item.message.created_at < start()));
    for pair in items.windows(2) {
        if pair[0].root_remote_id == pair[1].root_remote_id {
            assert!(
                pair[0].message.created_at < pair[1].message.created_at,
                "a thread is in order"
            );
        }
    }
}

#[tokio::test]
async fn a_retried_reply_is_one_reply_and_the_customer_answers_later() {
    let settings = DemoSettings {
        reply_back_chance: 1.0,
        reply_back_after: Duration::from_secs(30),
        new_conversation_every: None,
        ..DemoSettings::default()
    };
    let (network, clock) = demo(settings);
    let (_, cursor) = fetch_all(&network, None).await;
    let request = ReplyRequest {
        kind: ConversationKind::Comment,
        root_remote_id: "demo-c3".into(),
        in_reply_to: Some("demo-c3-m0".into()),
        recipient: None,
        text: "Sorry about that!".into(),
        idempotency_key: "key-1".into(),
        attempt: 1,
        created_at: chrono::Utc::now(),
        customer_last_message_at: None,
    };
    let first = network.reply(&request).await.unwrap();
    let second = network.reply(&request).await.unwrap();
    assert_eq!(first, second);

    let page = network
        .fetch_since(STREAM, cursor.as_deref())
        .await
        .unwrap();
    assert!(page.items.is_empty(), "the answer is not due yet");
    clock.advance(chrono::Duration::seconds(31));
    let page = network
        .fetch_since(STREAM, page.cursor.as_deref())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let answer = &page.items[0];
    assert_eq!(answer.root_remote_id, "demo-c3");
    assert_eq!(
        answer.message.parent_remote_id.as_deref(),
        Some(first.remote_id.as_str())
    );
    let page = network
        .fetch_since(STREAM, page.cursor.as_deref())
        .await
        .unwrap();
    assert!(page.items.is_empty(), "an answer is delivered once");
}

#[tokio::test]
async fn replies_that_are_empty_too_long_or_misdirected_are_refused() {
    let (network, _) = demo(DemoSettings::default());
    let mut request = ReplyRequest {
        kind: ConversationKind::Dm,
        root_remote_id: "demo-c1".into(),
        in_reply_to: None,
        recipient: None,
        text: "  ".into(),
        idempotency_key: "k".into(),
        attempt: 1,
        created_at: chrono::Utc::now(),
        customer_last_message_at: None,
    };
    assert!(matches!(
        network.reply(&request).await,
        Err(NetworkError::Rejected(_))
    ));
    request.text = "x".repeat(REPLY_LIMIT + 1);
    assert!(matches!(
        network.reply(&request).await,
        Err(NetworkError::Rejected(_))
    ));
    request.text = "hi".into();
    request.root_remote_id = "demo-c99999".into();
    assert!(matches!(
        network.reply(&request).await,
        Err(NetworkError::Rejected(_))
    ));
}

#[tokio::test]
async fn new_conversations_trickle_in_over_time() {
    let settings = DemoSettings {
        conversations: 5,
        new_conversation_every: Some(Duration::from_secs(60)),
        ..DemoSettings::default()
    };
    let (network, clock) = demo(settings);
    let (_, cursor) = fetch_all(&network, None).await;
    clock.advance(chrono::Duration::seconds(125));
    let (items, _) = fetch_all(&network, cursor).await;
    let roots: HashSet<_> = items
        .iter()
        .map(|item| item.root_remote_id.as_str())
        .collect();
    assert_eq!(roots, HashSet::from(["demo-c5", "demo-c6"]));
    assert!(items.iter().all(|item| item.message.created_at > start()));
}

#[test]
fn cursors_survive_a_restart_and_a_damaged_cursor_starts_over() {
    let cursor = DemoCursor {
        conversations: 12,
        epoch: 5,
        answers: 3,
    };
    assert_eq!(DemoCursor::parse(Some(&cursor.to_string()), 5), cursor);
    let restarted = DemoCursor::parse(Some(&cursor.to_string()), 9);
    assert_eq!(
        restarted,
        DemoCursor {
            conversations: 12,
            epoch: 9,
            answers: 0
        }
    );
    assert_eq!(DemoCursor::parse(Some("garbage"), 9).conversations, 0);
}
