#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! The inbox driven by real key events through the keymap, drawn on ratatui's TestBackend and
//! compared with reviewed snapshots (insta).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use hark::app::AccountInfo;
use hark::app::keymap::Keymap;
use hark::clock::ManualClock;
use hark::model::{
    ConversationKind, Delivery, Direction, Folder, IncomingItem, NetworkKind, RemoteContact,
    RemoteMessage, Status,
};
use hark::networks::demo::{DemoNetwork, DemoSettings, STREAM};
use hark::networks::{LengthUnit, Network};
use hark::runtime::harness::Harness;
use hark::store::{NewAccount, PageCursor, Store};

fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
}

/// A store holding the demo inbox (seed 42) as synced at `start()`.
fn demo_store(conversations: usize) -> (Store, i64) {
    let mut store = Store::open_in_memory().unwrap();
    let account = store
        .upsert_account(
            &NewAccount {
                name: "demo".into(),
                network: NetworkKind::Demo,
                handle: "@kettleandcrumb".into(),
                remote_id: None,
                display_name: Some("Kettle & Crumb".into()),
                credentials_ref: None,
            },
            0,
        )
        .unwrap();
    let demo = DemoNetwork::new(
        DemoSettings {
            conversations,
            new_conversation_every: None,
            ..DemoSettings::default()
        },
        Arc::new(ManualClock::new(start())),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut cursor = None;
    loop {
        let page = runtime
            .block_on(demo.fetch_since(STREAM, cursor.as_deref()))
            .unwrap();
        store
            .ingest(
                account,
                NetworkKind::Demo,
                STREAM,
                &page.items,
                page.cursor.as_deref(),
                start().timestamp_millis(),
            )
            .unwrap();
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    (store, account)
}

fn harness(store: Store, account: i64, size: (u16, u16), enhanced_keys: bool) -> Harness {
    harness_as("ana", store, account, size, enhanced_keys)
}

fn harness_as(
    agent: &str,
    store: Store,
    account: i64,
    size: (u16, u16),
    enhanced_keys: bool,
) -> Harness {
    let mut keymap = Keymap::default();
    keymap.enhanced_keys = enhanced_keys;
    let accounts = BTreeMap::from([(
        account,
        AccountInfo {
            name: "demo".into(),
            display_name: Some("Kettle & Crumb".into()),
            network: NetworkKind::Demo,
            reply_limit: 500,
            reply_unit: LengthUnit::Characters,
            signatures: true,
            signature: None,
            can_hide: false,
            dm_window: None,
            private_reply: Some(7 * 24 * 60 * 60 * 1000),
        },
    )]);
    Harness::new(
        store,
        agent,
        keymap,
        accounts,
        start().timestamp_millis(),
        size,
    )
}

fn open_ids(store: &Store) -> Vec<i64> {
    store
        .folder_page(&Folder::Open, PageCursor::START, 1000)
        .unwrap()
        .iter()
        .map(|row| row.id)
        .collect()
}

#[test]
fn main_screen() {
    let (store, account) = demo_store(240);
    let mut ui = harness(store, account, (120, 32), false);
    insta::assert_snapshot!(ui.screen());
}

#[test]
fn main_screen_at_80_by_24() {
    let (store, account) = demo_store(240);
    let mut ui = harness(store, account, (80, 24), false);
    ui.keys("j j");
    insta::assert_snapshot!(ui.screen());
}

#[test]
fn help_overlay_lists_the_live_keys() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (100, 30), false);
    ui.keys("?");
    let screen = ui.screen();
    assert!(
        screen.contains("Ctrl+S/Alt+Enter"),
        "only keys this terminal reports: {screen}"
    );
    assert!(!screen.contains("Ctrl+Enter/"), "{screen}");
    insta::assert_snapshot!(screen);
    ui.keys("j");
    assert!(!ui.state.help, "any key closes the help");
    assert_eq!(ui.state.selected, 0, "and does nothing else");
}

#[test]
fn ctrl_enter_sends_closes_and_lands_on_the_next_open_conversation() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (120, 32), true);
    ui.keys("j");
    let before = open_ids(&ui.store);
    let replied = before[1];
    let next = before[2];
    ui.keys("enter");
    ui.type_text("Hi! Sorry for the wait.\nA refund is on its way.");
    insta::assert_snapshot!("composing", ui.screen());
    ui.keys("ctrl+enter");

    let detail = ui.store.conversation(replied).unwrap();
    assert_eq!(detail.row.status, Status::Closed);
    let ours = detail.messages.last().unwrap();
    assert_eq!(ours.direction, Direction::Out);
    assert_eq!(
        ours.text,
        "Hi! Sorry for the wait.\nA refund is on its way."
    );
    assert_eq!(ours.delivery, Some(Delivery::Queued));
    assert_eq!(ours.agent.as_deref(), Some("ana"));
    assert_eq!(ui.state.selected_row().map(|r| r.id), Some(next));
    assert_eq!(
        ui.state.thread.as_ref().map(|t| t.detail.row.id),
        Some(next)
    );
    assert_eq!(ui.sync_wakes, 1, "the sync is asked to deliver at once");
    insta::assert_snapshot!("after_sending", ui.screen());
}

#[test]
fn ctrl_s_and_alt_enter_send_everywhere_and_empty_or_long_replies_are_refused() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (120, 32), false);
    let first = open_ids(&ui.store)[0];
    ui.keys("enter ctrl+s");
    assert!(ui.state.error.as_deref().unwrap().contains("empty"));
    ui.type_text(&"x".repeat(501));
    ui.keys("ctrl+s");
    let error = ui.state.error.clone().unwrap();
    assert!(
        error.contains("501 characters") && error.contains("at most 500"),
        "{error}"
    );
    assert!(ui.screen().contains("501/500"));
    assert_eq!(
        ui.store.conversation(first).unwrap().row.status,
        Status::Open,
        "nothing was sent"
    );
    ui.keys("backspace alt+enter");
    assert_eq!(
        ui.store.conversation(first).unwrap().row.status,
        Status::Closed
    );
}

#[test]
fn c_closes_and_reopens() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (120, 32), false);
    let first = open_ids(&ui.store)[0];
    ui.keys("c");
    assert_eq!(
        ui.store.conversation(first).unwrap().row.status,
        Status::Closed
    );
    assert!(!open_ids(&ui.store).contains(&first));
    assert_eq!(ui.state.counts.closed, 1);
    // Over to the Closed folder (the fifth in the sidebar), and reopen it there.
    ui.keys("h g j j j j enter");
    assert_eq!(ui.state.folder, Folder::Closed);
    insta::assert_snapshot!("closed_folder", ui.screen());
    ui.keys("c");
    assert_eq!(
        ui.store.conversation(first).unwrap().row.status,
        Status::Open
    );
    assert!(ui.state.rows.is_empty());
}

#[test]
fn f_likes_and_unlikes_the_latest_customer_message() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (120, 32), false);
    ui.keys("j f");
    let thread = ui.state.thread.clone().unwrap();
    let latest_in = thread
        .detail
        .messages
        .iter()
        .rev()
        .find(|m| m.direction == Direction::In)
        .unwrap();
    assert!(latest_in.liked);
    assert!(ui.screen().contains("♥"));
    insta::assert_snapshot!("liked", ui.screen());
    ui.keys("f");
    let thread = ui.state.thread.clone().unwrap();
    assert!(thread.detail.messages.iter().all(|m| !m.liked));
}

#[test]
fn search_finds_messages_and_esc_returns_to_the_folder() {
    let (store, account) = demo_store(240);
    let mut ui = harness(store, account, (120, 32), false);
    ui.keys("/");
    ui.type_text("payment");
    let screen = ui.screen();
    assert!(
        ui.state
            .rows
            .iter()
            .all(|r| r.snippet.to_lowercase().contains("payment") || r.message_count > 1)
    );
    assert!(!ui.state.rows.is_empty());
    insta::assert_snapshot!("search", screen);
    ui.keys("enter j");
    assert_eq!(
        ui.state.selected, 1,
        "Enter leaves the prompt to browse results"
    );
    ui.keys("esc");
    assert!(ui.state.search.is_none());
    assert_eq!(ui.state.rows.len(), 100, "back to the first page of Open");
}

fn person(id: &str, name: &str) -> RemoteContact {
    RemoteContact {
        remote_id: id.into(),
        handle: id.into(),
        name: Some(name.into()),
        avatar_url: None,
        bio: None,
        followers: None,
        profile_url: None,
    }
}

fn message(
    root: &str,
    id: &str,
    who: &RemoteContact,
    text: &str,
    minutes_ago: i64,
) -> IncomingItem {
    IncomingItem {
        kind: ConversationKind::Dm,
        root_remote_id: root.into(),
        subject: None,
        customer: who.clone(),
        message: RemoteMessage {
            remote_id: id.into(),
            parent_remote_id: None,
            direction: Direction::In,
            author: who.clone(),
            text: text.into(),
            created_at: start() - chrono::Duration::minutes(minutes_ago),
            liked: false,
            hidden: None,
            raw: serde_json::json!({}).into(),
        },
    }
}

#[test]
fn a_thread_in_arabic_korean_and_emoji_and_a_hostile_message_keep_the_frame() {
    let (mut store, account) = demo_store(0);
    let layla = person("layla", "ليلى حداد");
    let minji = person("minji", "김민지");
    let spam = person("spam", "Prize\u{1b}[5m Desk");
    let items = vec![
        message(
            "t1",
            "a1",
            &layla,
            "صفحة الدفع لا تفتح أبداً! أحتاج إلى تجديد اشتراكي اليوم.",
            50,
        ),
        message(
            "t1",
            "a2",
            &layla,
            "결제 페이지가 안 열려요! 오늘 꼭 갱신해야 하는데요. 👨‍👩‍👧 ☕✨🙌",
            40,
        ),
        message(
            "t2",
            "k1",
            &minji,
            "배송 완료라고 나오는데 물건을 못 받았어요 😕",
            30,
        ),
        message(
            "t3",
            "s1",
            &spam,
            "WIN \u{1b}[2J\u{1b}[H\u{1b}[31mCLICK\u{1b}[0m \u{1b}]0;pwned\u{7} \u{9b}6n\u{202e}evil\u{202c} done",
            5,
        ),
    ];
    store
        .ingest(
            account,
            NetworkKind::Demo,
            "inbox",
            &items,
            None,
            start().timestamp_millis(),
        )
        .unwrap();
    let mut ui = harness(store, account, (100, 24), false);
    // The hostile message is the newest; Layla's thread is the last.
    let hostile = ui.screen();
    ui.keys("G");
    let screen = ui.screen();
    for text in [&hostile, &screen] {
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{9b}'));
        assert!(!text.contains('\u{202e}'));
        for line in text.lines() {
            assert!(
                hark::text::width(line) <= 100,
                "a line is wider than the frame: {line}"
            );
        }
    }
    assert!(hostile.contains("WIN ␛[2J␛[H␛[31mCLICK␛[0m"), "{hostile}");
    insta::assert_snapshot!("hostile", hostile);
    insta::assert_snapshot!("multilingual_thread", screen);
}

#[test]
fn the_draft_survives_leaving_and_a_restart() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (120, 32), false);
    let first = open_ids(&ui.store)[0];
    ui.keys("enter");
    ui.type_text("Half-written answer");
    ui.keys("esc j k");
    assert_eq!(
        ui.store
            .draft("ana", first)
            .unwrap()
            .map(|d| d.body)
            .as_deref(),
        Some("Half-written answer")
    );
    // A new inbox on the same database finds it.
    let Harness { store, .. } = ui;
    let mut ui = harness(store, account, (120, 32), false);
    let composer = ui.state.composer.as_ref().expect("the draft is shown");
    assert_eq!(composer.text(), "Half-written answer");
    assert!(ui.screen().contains("Half-written answer"));
    ui.keys("enter");
    ui.type_text(" — done");
    ui.keys("ctrl+s");
    assert_eq!(
        ui.store.draft("ana", first).unwrap(),
        None,
        "sending removes the draft"
    );
}

#[test]
fn another_process_changes_appear_on_the_next_reload() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (120, 32), false);
    let first = open_ids(&ui.store)[0];
    ui.store
        .set_status(first, Status::Closed, "bob", 0)
        .unwrap();
    ui.dispatch(hark::app::Action::StoreChanged);
    assert!(!ui.state.rows.iter().any(|r| r.id == first));
    assert_eq!(ui.state.counts.closed, 1);
}

fn add_reply(store: &mut Store, title: &str, shortcut: Option<&str>, body: &str) -> i64 {
    store
        .add_saved_reply(
            &hark::store::SavedReplyDraft {
                title: title.into(),
                body: body.into(),
                shortcut: shortcut.map(str::to_owned),
                tags: Vec::new(),
            },
            0,
        )
        .unwrap()
}

#[test]
fn hash_hash_picks_a_saved_reply_and_fills_it_in() {
    let (mut store, account) = demo_store(40);
    let refund = add_reply(
        &mut store,
        "Refund on its way",
        Some("refund"),
        "Hi {first_name},\nyour refund left today.\n— {agent}, {account}",
    );
    add_reply(
        &mut store,
        "Payment page is back",
        Some("pay"),
        "The payment page works again, {name}!",
    );
    add_reply(
        &mut store,
        "Thanks for the kind words",
        None,
        "Thank you so much, {first_name}! ☕",
    );
    let mut ui = harness(store, account, (120, 32), false);
    let id = open_ids(&ui.store)[0];
    ui.keys("enter");
    ui.type_text("Hello! ##rfnd");
    let picker = ui
        .state
        .composer
        .as_ref()
        .unwrap()
        .picker
        .clone()
        .expect("## opens the picker");
    assert_eq!(ui.state.saved_replies[picker.matches[0].index].id, refund);
    insta::assert_snapshot!("picker", ui.screen());
    ui.keys("enter");
    let name = ui
        .state
        .thread
        .as_ref()
        .unwrap()
        .detail
        .row
        .contact_name
        .clone()
        .unwrap();
    let first = name.split_whitespace().next().unwrap().to_string();
    assert_eq!(
        ui.state.composer.as_ref().unwrap().text(),
        format!("Hello! Hi {first},\nyour refund left today.\n— ana, Kettle & Crumb")
    );
    let used = ui.store.saved_reply(refund).unwrap();
    assert_eq!(used.use_count, 1);
    assert!(
        ui.store
            .conversation_events(id)
            .unwrap()
            .iter()
            .any(|e| e.kind == "saved_reply_used" && e.actor == "ana")
    );
    assert_eq!(
        ui.state.saved_replies[0].id, refund,
        "the most used comes first now"
    );
}

#[test]
fn a_missing_value_is_highlighted_and_sending_asks_first() {
    let (mut store, account) = demo_store(40);
    add_reply(
        &mut store,
        "Order check",
        Some("order"),
        "Hi {first_name}, checking order for {handle}.",
    );
    let mut ui = harness(store, account, (120, 32), false);
    let id = open_ids(&ui.store)[0];
    // This customer has no handle on record.
    ui.store.conn().execute("UPDATE contacts SET handle = '' WHERE id = (SELECT contact_id FROM conversations WHERE id = ?1)", [id]).unwrap();
    ui.dispatch(hark::app::Action::StoreChanged);
    ui.keys("enter");
    ui.type_text("##order");
    ui.keys("tab");
    let text = ui.state.composer.as_ref().unwrap().text();
    assert!(text.ends_with("checking order for {handle}."), "{text}");
    assert!(ui.state.notice.as_deref().unwrap().contains("{handle}"));
    ui.keys("ctrl+s");
    assert!(
        ui.state
            .error
            .as_deref()
            .unwrap()
            .contains("{handle} not filled in")
    );
    assert_eq!(
        ui.store.conversation(id).unwrap().row.status,
        Status::Open,
        "not sent yet"
    );
    ui.keys("ctrl+s");
    assert_eq!(
        ui.store.conversation(id).unwrap().row.status,
        Status::Closed,
        "sent when asked twice"
    );
}

#[test]
fn the_signature_is_added_once_on_send_and_counted() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (120, 32), false);
    ui.state.signature = Some("— Ana, Kettle & Crumb".into());
    let id = open_ids(&ui.store)[0];
    ui.keys("enter");
    ui.type_text("Thanks!");
    assert!(
        ui.screen().contains("Reply 29/500"),
        "the counter includes the signature"
    );
    ui.keys("ctrl+s");
    let sent = ui
        .store
        .conversation(id)
        .unwrap()
        .messages
        .last()
        .unwrap()
        .text
        .clone();
    assert_eq!(sent, "Thanks!\n— Ana, Kettle & Crumb");

    let next = ui.state.selected_row().unwrap().id;
    ui.keys("enter");
    ui.type_text("Done.\n— Ana, Kettle & Crumb");
    ui.keys("ctrl+s");
    let sent = ui
        .store
        .conversation(next)
        .unwrap()
        .messages
        .last()
        .unwrap()
        .text
        .clone();
    assert_eq!(sent, "Done.\n— Ana, Kettle & Crumb", "never doubled");
}

#[test]
fn saved_replies_are_managed_in_the_inbox() {
    let (store, account) = demo_store(10);
    let mut ui = harness(store, account, (120, 32), false);
    ui.keys("s a");
    ui.type_text("Shipping delays");
    ui.keys("tab");
    ui.type_text("late");
    ui.keys("tab");
    ui.type_text("shipping, apology");
    ui.keys("tab");
    ui.type_text("Sorry {first_name},\nthe couriers are slow this week.");
    insta::assert_snapshot!("reply_form", ui.screen());
    ui.keys("ctrl+s");
    let replies = ui.store.saved_replies().unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].shortcut.as_deref(), Some("late"));
    assert_eq!(
        replies[0].tags,
        vec!["shipping".to_string(), "apology".to_string()]
    );
    assert_eq!(
        replies[0].body,
        "Sorry {first_name},\nthe couriers are slow this week."
    );

    ui.keys("e tab");
    ui.keys("backspace backspace backspace backspace");
    ui.type_text("slow");
    ui.keys("ctrl+s");
    assert_eq!(
        ui.store.saved_replies().unwrap()[0].shortcut.as_deref(),
        Some("slow")
    );
    insta::assert_snapshot!("reply_list", ui.screen());

    ui.keys("d n");
    assert_eq!(ui.store.saved_replies().unwrap().len(), 1, "only y deletes");
    ui.keys("d y");
    assert!(ui.store.saved_replies().unwrap().is_empty());
    ui.keys("esc");
    assert!(ui.state.replies_manager.is_none());

    // A form with no title is refused with the reason.
    ui.keys("s a tab tab tab");
    ui.type_text("body only");
    ui.keys("ctrl+s");
    assert!(ui.state.error.as_deref().unwrap().contains("needs a title"));
}

#[test]
fn t_opens_the_tag_picker_creates_adds_and_removes_tags_in_bulk() {
    let (mut store, account) = demo_store(40);
    let ids = open_ids(&store);
    store.tag(&ids[5..6], "Payment", "bob", 0).unwrap();
    let mut ui = harness(store, account, (120, 32), false);
    // Mark the first two, then tag them both.
    ui.keys("space space");
    assert_eq!(ui.state.marked.len(), 2);
    ui.keys("t");
    ui.type_text("Refund");
    insta::assert_snapshot!("tag_picker", ui.screen());
    ui.keys("enter");
    for id in &ids[..2] {
        assert_eq!(
            ui.store.conversation_row(*id).unwrap().unwrap().tags,
            vec!["Refund".to_string()]
        );
    }
    // Choosing a tag a conversation has takes it off.
    ui.keys("t");
    ui.type_text("refund");
    ui.keys("enter");
    assert!(
        ui.store
            .conversation_row(ids[0])
            .unwrap()
            .unwrap()
            .tags
            .is_empty()
    );
    assert!(
        ui.store
            .conversation_row(ids[1])
            .unwrap()
            .unwrap()
            .tags
            .is_empty()
    );
    ui.keys("esc");
    assert!(ui.state.marked.is_empty(), "Esc clears the marks");
    let events = ui.store.conversation_events(ids[0]).unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == "tagged" && e.actor == "ana")
    );
    assert!(
        events
            .iter()
            .any(|e| e.kind == "untagged" && e.actor == "ana")
    );
}

#[test]
fn a_tag_folder_lists_its_open_conversations() {
    let (mut store, account) = demo_store(40);
    let ids = open_ids(&store);
    store.tag(&[ids[3], ids[7]], "Payment", "bob", 0).unwrap();
    let mut ui = harness(store, account, (120, 32), false);
    // Open, Mine, Unassigned, Snoozed, Closed, then the tag.
    ui.keys("h g j j j j j enter");
    assert_eq!(
        ui.state.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ids[3], ids[7]]
    );
    insta::assert_snapshot!("tag_folder", ui.screen());
}

#[test]
fn assign_snooze_priority_and_sort_from_the_keyboard() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (120, 32), false);
    ui.state.agents = vec!["jack".into(), "mei".into()];
    let id = open_ids(&ui.store)[0];
    ui.keys("a");
    ui.type_text("jac");
    ui.keys("enter");
    assert_eq!(
        ui.store
            .conversation_row(id)
            .unwrap()
            .unwrap()
            .assignee
            .as_deref(),
        Some("jack")
    );
    ui.keys("a enter");
    assert_eq!(
        ui.store.conversation_row(id).unwrap().unwrap().assignee,
        None,
        "Unassigned is first"
    );

    ui.keys("! !");
    assert_eq!(ui.store.conversation_row(id).unwrap().unwrap().priority, 2);
    ui.keys("o o");
    assert_eq!(ui.state.sort, hark::model::Sort::Priority);
    assert_eq!(ui.state.rows[0].id, id, "the urgent one comes first");
    assert!(ui.screen().contains("by priority"));

    ui.keys("z 2");
    let row = ui.store.conversation_row(id).unwrap().unwrap();
    assert_eq!(row.status, Status::Snoozed);
    assert_eq!(
        row.snoozed_until,
        Some(start().timestamp_millis() + 4 * 3_600_000)
    );
    assert!(
        !ui.state.rows.iter().any(|r| r.id == id),
        "snoozed leaves Open"
    );
    let next = ui.state.selected_row().unwrap().id;
    ui.keys("z");
    ui.type_text("soon");
    ui.keys("enter");
    assert!(ui.state.error.as_deref().unwrap().contains("not a time"));
    ui.keys("esc");
    assert_eq!(
        ui.store.conversation_row(next).unwrap().unwrap().status,
        Status::Open
    );
}

#[test]
fn notes_show_in_the_thread_and_the_profile_holds_the_customer() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (120, 32), false);
    let id = open_ids(&ui.store)[1];
    ui.keys("j n");
    ui.type_text("She was charged twice; refund approved by Jack.");
    ui.keys("ctrl+s");
    let notes = ui.store.notes(id).unwrap();
    assert_eq!(notes[0].author, "ana");
    let screen = ui.screen();
    assert!(screen.contains("✎ note · ana"), "{screen}");
    assert!(
        ui.store
            .conversation(id)
            .unwrap()
            .messages
            .iter()
            .all(|m| !m.text.contains("refund approved")),
        "a note is never a message"
    );
    insta::assert_snapshot!("conversation_with_a_note", screen);

    ui.keys("p");
    let contact = ui.state.profile.as_ref().unwrap().contact_id;
    ui.keys("n");
    ui.type_text("Prefers DMs. Long-time subscriber.");
    ui.keys("ctrl+s e");
    ui.type_text("mateo@example.com");
    ui.keys("tab");
    ui.type_text("#48213");
    ui.keys("tab");
    ui.type_text("plan: Monthly");
    ui.keys("ctrl+s v");
    let saved = ui.store.contact(contact).unwrap();
    assert_eq!(saved.fields.email.as_deref(), Some("mateo@example.com"));
    assert_eq!(saved.fields.order_ref.as_deref(), Some("#48213"));
    assert_eq!(saved.fields.custom["plan"], "Monthly");
    assert!(saved.vip);
    assert_eq!(ui.store.contact_notes(contact).unwrap().len(), 1);
    insta::assert_snapshot!("profile_panel", ui.screen());
    ui.keys("p");
    assert!(ui.state.profile.is_none());
}

#[test]
fn a_failed_reply_can_be_sent_again_or_taken_back_to_edit() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (120, 32), false);
    let id = open_ids(&ui.store)[0];
    let now = start().timestamp_millis();
    let message = ui
        .store
        .queue_reply(id, "First try", "ana", false, now)
        .unwrap()
        .message_id;
    // The network refuses it for good.
    let claimed = ui.store.claim_due_action(account, now).unwrap().unwrap();
    ui.store
        .fail_action(claimed.entry.id, "the post was deleted", now)
        .unwrap();
    ui.dispatch(hark::app::Action::StoreChanged);
    let screen = ui.screen();
    assert!(
        screen.contains("✗ the post was deleted — r sends again, e edits"),
        "{screen}"
    );

    ui.keys("r");
    assert_eq!(
        ui.store.message(message).unwrap().unwrap().delivery,
        Some(Delivery::Queued)
    );
    let claimed = ui.store.claim_due_action(account, now).unwrap().unwrap();
    ui.store
        .fail_action(claimed.entry.id, "still deleted", now)
        .unwrap();
    ui.dispatch(hark::app::Action::StoreChanged);

    ui.keys("e");
    assert_eq!(ui.state.composer.as_ref().unwrap().text(), "First try");
    assert!(
        ui.store.message(message).unwrap().is_none(),
        "taken out of the thread to be edited"
    );
}

#[test]
fn h_hides_and_shows_a_customer_reply_where_the_network_allows_it() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (120, 32), false);
    ui.keys("j H");
    assert!(
        ui.screen().contains("has no way to hide a reply"),
        "{}",
        ui.screen()
    );
    assert!(
        ui.store
            .claim_due_action(account, i64::MAX)
            .unwrap()
            .is_none()
    );

    ui.state.accounts.get_mut(&account).unwrap().can_hide = true;
    ui.keys("H");
    let thread = ui.state.thread.clone().unwrap();
    let latest_in = thread
        .detail
        .messages
        .iter()
        .rev()
        .find(|m| m.direction == Direction::In)
        .unwrap();
    assert!(latest_in.hidden);
    assert!(ui.screen().contains("⊘ hidden"), "{}", ui.screen());
    let claimed = ui
        .store
        .claim_due_action(account, i64::MAX)
        .unwrap()
        .unwrap();
    assert_eq!(claimed.entry.action, hark::model::OutboxAction::Hide);
    assert_eq!(claimed.entry.message_id, Some(latest_in.id));

    ui.keys("H");
    let thread = ui.state.thread.clone().unwrap();
    assert!(thread.detail.messages.iter().all(|m| !m.hidden));
    assert!(!ui.screen().contains("⊘ hidden"));
}

#[test]
fn h_refuses_a_reply_that_is_not_under_the_brands_own_post() {
    let (mut store, account) = demo_store(0);
    let bob = person("bob", "Bob Ray");
    let mut mention = message("m1", "m1", &bob, "@brand my order is late", 10);
    mention.kind = ConversationKind::Mention;
    store
        .ingest(
            account,
            NetworkKind::Demo,
            "inbox",
            &[mention],
            None,
            start().timestamp_millis(),
        )
        .unwrap();
    let mut ui = harness(store, account, (100, 24), false);
    ui.state.accounts.get_mut(&account).unwrap().can_hide = true;
    ui.keys("H");
    assert!(
        ui.screen()
            .contains("Only replies under the brand's own post can be hidden"),
        "{}",
        ui.screen()
    );
    assert!(
        ui.store
            .claim_due_action(account, i64::MAX)
            .unwrap()
            .is_none()
    );
}

#[test]
fn the_composer_shows_the_messaging_window_and_refuses_after_it_closes() {
    let (mut store, account) = demo_store(0);
    let fresh = person("fresh", "Fresh Asker");
    let stale = person("stale", "Stale Asker");
    store
        .ingest(
            account,
            NetworkKind::Demo,
            "inbox",
            // DMs: one written an hour ago, one 30 hours ago (the newest is listed first).
            &[
                message("t-stale", "s1", &stale, "Any news?", 30 * 60),
                message("t-fresh", "f1", &fresh, "Where is my parcel?", 60),
            ],
            None,
            start().timestamp_millis(),
        )
        .unwrap();
    let mut ui = harness(store, account, (100, 30), false);
    ui.state.accounts.get_mut(&account).unwrap().dm_window = Some(false);
    let [fresh_id, stale_id] = open_ids(&ui.store)[..] else {
        panic!("two conversations")
    };

    ui.keys("enter");
    assert!(ui.screen().contains("window open 23h"), "{}", ui.screen());
    ui.type_text("It left today");
    ui.keys("ctrl+s");
    assert_eq!(
        ui.store.conversation(fresh_id).unwrap().row.status,
        Status::Closed,
        "sent inside the window"
    );

    assert_eq!(
        ui.state.thread.as_ref().map(|t| t.detail.row.id),
        Some(stale_id)
    );
    ui.keys("enter");
    assert!(
        ui.screen().contains("window closed: cannot send"),
        "{}",
        ui.screen()
    );
    ui.type_text("Sorry for the wait");
    ui.keys("ctrl+s");
    let error = ui.state.error.clone().unwrap();
    assert!(
        error.starts_with("Not sent: the 24-hour window closed on Mar 2 04:00 UTC"),
        "{error}"
    );
    assert_eq!(
        ui.store.conversation(stale_id).unwrap().row.status,
        Status::Open
    );
}

#[test]
fn p_answers_a_comment_privately_once_and_within_seven_days() {
    let (mut store, account) = demo_store(0);
    let sam = person("sam", "Sam Whitfield");
    let old = person("old", "Olga Stale");
    let dm = person("dm", "Dana Message");
    let mut fresh = message("post-1", "c1", &sam, "What is the discount code?", 60);
    fresh.kind = ConversationKind::Comment;
    let mut stale = message("post-2", "c2", &old, "Still waiting", 8 * 24 * 60);
    stale.kind = ConversationKind::Comment;
    store
        .ingest(
            account,
            NetworkKind::Demo,
            "inbox",
            &[stale, message("t-dm", "d1", &dm, "Hello", 120), fresh],
            None,
            start().timestamp_millis(),
        )
        .unwrap();
    let mut ui = harness(store, account, (100, 30), false);
    let [fresh_id, dm_id, stale_id] = open_ids(&ui.store)[..] else {
        panic!("three conversations")
    };

    ui.keys("P");
    let screen = ui.screen();
    assert!(
        screen.contains("Private reply to Sam Whitfield"),
        "{screen}"
    );
    assert!(screen.contains("6d left"), "{screen}");
    ui.type_text("Code AUTUMN10, just for you");
    ui.keys("esc");
    let draft = ui.store.draft("ana", fresh_id).unwrap().unwrap();
    let comment_id = ui.store.conversation(fresh_id).unwrap().messages[0].id;
    assert_eq!(
        draft.private_to,
        Some(comment_id),
        "the draft stays private"
    );

    // A restart brings the draft back as a private reply, and it goes out as one.
    let Harness { store, .. } = ui;
    let mut ui = harness(store, account, (100, 30), false);
    assert!(
        ui.screen().contains("Private reply to Sam Whitfield"),
        "{}",
        ui.screen()
    );
    ui.keys("enter ctrl+s");
    let detail = ui.store.conversation(fresh_id).unwrap();
    assert_eq!(detail.row.status, Status::Closed);
    let sent = detail.messages.last().unwrap();
    assert!(sent.private);
    assert_eq!(sent.parent_remote_id.as_deref(), Some("c1"));
    let claimed = ui
        .store
        .claim_due_action(account, i64::MAX)
        .unwrap()
        .unwrap();
    assert_eq!(
        claimed.entry.action,
        hark::model::OutboxAction::PrivateReply
    );

    // A DM has no comment to answer; a comment of eight days ago is too old.
    assert_eq!(ui.state.selected_row().map(|r| r.id), Some(dm_id));
    ui.keys("P");
    assert!(
        ui.state
            .error
            .as_deref()
            .unwrap()
            .contains("answers a comment"),
        "{:?}",
        ui.state.error
    );
    ui.keys("j P");
    assert_eq!(ui.state.selected_row().map(|r| r.id), Some(stale_id));
    assert!(
        ui.state.error.as_deref().unwrap().contains("too long ago"),
        "{:?}",
        ui.state.error
    );
    assert!(ui.state.composer.is_none());

    // Back on the answered comment (reopened): the reply shows as private, a second is refused.
    ui.store
        .set_status(fresh_id, Status::Open, "bob", 0)
        .unwrap();
    ui.dispatch(hark::app::Action::StoreChanged);
    ui.keys("g");
    assert_eq!(ui.state.selected_row().map(|r| r.id), Some(fresh_id));
    assert!(ui.screen().contains("✉ private"), "{}", ui.screen());
    ui.keys("P");
    assert!(
        ui.state
            .error
            .as_deref()
            .unwrap()
            .contains("already had its private reply"),
        "{:?}",
        ui.state.error
    );
    // A network without private replies says so.
    ui.state.accounts.get_mut(&account).unwrap().private_reply = None;
    ui.keys("P");
    assert!(
        ui.state
            .error
            .as_deref()
            .unwrap()
            .contains("has no private replies")
    );
}

#[test]
fn a_key_pressed_before_the_next_thread_loads_acts_on_the_selected_conversation() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (100, 30), false);
    let ids = open_ids(&ui.store);
    // The selection moved on; the thread shown is still the first conversation's.
    ui.state.selected = 1;
    assert_eq!(
        ui.state.thread.as_ref().map(|t| t.detail.row.id),
        Some(ids[0])
    );
    ui.keys("f");
    let claimed = ui
        .store
        .claim_due_action(account, i64::MAX)
        .unwrap()
        .unwrap();
    assert_eq!(claimed.entry.action, hark::model::OutboxAction::Like);
    assert_eq!(
        claimed.entry.conversation_id, ids[1],
        "not the stale thread's"
    );
}

#[test]
fn teammates_see_each_other_and_a_reply_written_meanwhile_is_shown_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("team.db");
    let (demo, account) = demo_store(10);
    demo.conn()
        .execute("VACUUM INTO ?1", [path.to_str().unwrap()])
        .unwrap();
    let open = |inbox: &str| Store::open(&path).unwrap().as_inbox(inbox);
    let mut ana = harness_as("ana", open("box:ana"), account, (110, 30), false);
    let mut bob = harness_as("bob", open("box:bob"), account, (110, 30), false);
    let first = open_ids(&ana.store)[0];

    ana.keys("enter");
    ana.type_text("Refund on its way");
    bob.dispatch(hark::app::Action::Heartbeat(bob.now));
    let screen = bob.screen();
    assert!(screen.contains("ana is replying"), "{screen}");
    assert!(screen.contains("✎ana"), "{screen}");

    // Bob answers first.
    bob.keys("enter");
    bob.type_text("Bob: refund sent");
    bob.keys("ctrl+s");
    assert_eq!(
        ana.store.conversation(first).unwrap().row.status,
        Status::Closed
    );

    // Ana's reply is held back, her text kept, Bob's reply named.
    ana.keys("ctrl+s");
    let error = ana.state.error.clone().unwrap();
    assert!(
        error.starts_with("bob replied meanwhile: “Bob: refund sent”"),
        "{error}"
    );
    let composer = ana
        .state
        .composer
        .as_ref()
        .expect("her text is still there");
    assert_eq!(composer.text(), "Refund on its way");
    let detail = ana.store.conversation(first).unwrap();
    assert!(
        !detail
            .messages
            .iter()
            .any(|m| m.agent.as_deref() == Some("ana"))
    );
    assert!(
        ana.screen().contains("Bob: refund sent"),
        "their reply is shown"
    );

    // Sending again sends it anyway.
    ana.keys("ctrl+s");
    let detail = ana.store.conversation(first).unwrap();
    assert_eq!(
        detail.messages.last().unwrap().agent.as_deref(),
        Some("ana")
    );
    // Done writing: Bob sees her viewing, no longer replying.
    bob.dispatch(hark::app::Action::Heartbeat(bob.now));
    assert!(
        bob.state
            .presence
            .iter()
            .all(|p| p.activity == hark::model::Activity::Viewing)
    );
}

#[test]
fn a_conversation_assigned_by_a_teammate_is_marked_new_until_opened() {
    let (mut store, account) = demo_store(10);
    let ids = open_ids(&store);
    // Bob assigns the third conversation to Ana; Ana assigning herself one is not news.
    store.assign(&[ids[2]], Some("ana"), "bob", 0).unwrap();
    store.assign(&[ids[3]], Some("ana"), "ana", 0).unwrap();
    let mut ui = harness(store, account, (110, 30), false);
    let screen = ui.screen();
    assert!(screen.contains("Mine (1 new)"), "{screen}");
    assert!(screen.contains("→ana new"), "{screen}");
    assert_eq!(screen.matches("→ana new").count(), 1, "{screen}");
    ui.keys("j j");
    ui.dispatch(hark::app::Action::StoreChanged);
    let screen = ui.screen();
    assert!(
        !screen.contains("→ana new"),
        "opened: no longer new\n{screen}"
    );
    assert!(!screen.contains("Mine ("), "{screen}");
    assert_eq!(ui.store.folder_counts("ana").unwrap().mine_new, 0);
}

#[test]
fn an_agent_uses_saved_replies_but_cannot_change_them() {
    let (mut store, account) = demo_store(5);
    add_reply(
        &mut store,
        "Refund",
        Some("refund"),
        "Your refund is on its way.",
    );
    let mut ui = harness(store, account, (110, 30), false);
    ui.state.role = hark::model::Role::Agent;
    ui.keys("s a");
    let error = ui.state.error.clone().unwrap_or_default();
    assert!(
        error.starts_with("Only an admin can change saved replies"),
        "{error}"
    );
    assert!(ui.state.replies_manager.as_ref().unwrap().form.is_none());
    ui.keys("esc enter");
    ui.type_text("##refund");
    ui.keys("enter");
    assert!(
        ui.state
            .composer
            .as_ref()
            .unwrap()
            .text()
            .contains("Your refund is on its way."),
        "## still works for an agent"
    );
}

#[test]
fn a_private_reply_the_store_refuses_is_kept_as_a_private_draft() {
    let (mut store, account) = demo_store(0);
    let sam = person("sam", "Sam Whitfield");
    let mut comment = message("post-1", "c1", &sam, "Discount code?", 60);
    comment.kind = ConversationKind::Comment;
    store
        .ingest(
            account,
            NetworkKind::Demo,
            "inbox",
            &[comment],
            None,
            start().timestamp_millis(),
        )
        .unwrap();
    let mut ui = harness(store, account, (100, 30), false);
    let id = open_ids(&ui.store)[0];
    ui.keys("P");
    ui.type_text("Code AUTUMN10");
    // Meanwhile a teammate answered that comment privately.
    ui.store
        .queue_private_reply(
            id,
            None,
            "Code X",
            "bo",
            false,
            i64::MAX,
            start().timestamp_millis(),
        )
        .unwrap();
    ui.keys("ctrl+s");
    let error = ui.state.error.clone().unwrap();
    assert!(error.contains("already has a private reply"), "{error}");
    assert!(error.contains("kept as the draft"), "{error}");
    let draft = ui.store.draft("ana", id).unwrap().unwrap();
    assert_eq!(draft.body, "Code AUTUMN10");
    assert!(draft.private_to.is_some(), "still private");
}

#[test]
fn a_conversation_past_its_response_time_target_says_so() {
    let (mut store, account) = demo_store(0);
    let late = person("late", "Late Customer");
    store
        .ingest(
            account,
            NetworkKind::Demo,
            "inbox",
            &[
                message("t-late", "l1", &late, "My parcel is lost", 180),
                message("t-late", "l2", &late, "Hello? Anyone?", 60),
            ],
            None,
            start().timestamp_millis(),
        )
        .unwrap();
    let targets = hark::model::SlaTargets {
        default: None,
        networks: [(NetworkKind::Demo, 60 * 60_000)].into(),
        tags: Default::default(),
    };
    store.use_sla(&targets.as_rows()).unwrap();
    let mut ui = harness(store, account, (120, 30), false);
    ui.state.sla = targets;
    ui.dispatch(hark::app::Action::StoreChanged);
    let screen = ui.screen();
    assert!(
        screen.contains("Waiting 3h00m of 1h00m — overdue"),
        "{screen}"
    );
    let row = screen
        .lines()
        .find(|l| l.contains("Late Customer"))
        .unwrap();
    assert!(
        row.contains("3h│"),
        "the list shows the wait, not the last message's age: {row}"
    );
    assert!(screen.contains("Overdue"), "{screen}");
}

#[test]
fn r_shows_the_report_with_charts_and_p_changes_the_period() {
    let (store, account) = demo_store(40);
    let mut ui = harness(store, account, (120, 36), false);
    ui.keys("enter");
    ui.type_text("On it!");
    ui.keys("ctrl+s enter");
    ui.type_text("Refund sent.");
    ui.keys("ctrl+s R");
    let screen = ui.screen();
    assert!(screen.contains("Report · last 7 days"), "{screen}");
    assert!(screen.contains("Messages in, per day"), "{screen}");
    assert!(screen.contains("Response times"), "{screen}");
    assert!(screen.contains("ana"), "the agents' table: {screen}");
    insta::assert_snapshot!(screen);
    ui.keys("p");
    assert!(ui.screen().contains("Report · last 30 days"));
    ui.keys("esc");
    assert!(ui.state.report_view.is_none());
}

#[test]
fn a_composer_opened_before_its_thread_loaded_still_catches_a_teammates_reply() {
    let (store, account) = demo_store(10);
    let mut ui = harness(store, account, (110, 30), false);
    let first = open_ids(&ui.store)[0];
    // The thread has not arrived yet when Enter is pressed.
    ui.state.thread = None;
    ui.keys("enter");
    assert_eq!(ui.state.composer.as_ref().unwrap().seen_up_to, None);
    // Then it arrives.
    let detail = ui.store.conversation(first).unwrap();
    ui.dispatch(hark::app::Action::ThreadLoaded {
        detail: Box::new(detail),
        draft: None,
        notes: Vec::new(),
    });
    assert!(ui.state.composer.as_ref().unwrap().seen_up_to.is_some());
    ui.type_text("On it");
    ui.store
        .queue_reply(first, "Bo got it", "bo", false, start().timestamp_millis())
        .unwrap();
    ui.keys("ctrl+s");
    let error = ui.state.error.clone().unwrap_or_default();
    assert!(error.starts_with("bo replied meanwhile"), "{error}");
}

/// Ctrl+O hands the reply to the person's editor ($VISUAL/$EDITOR): the draft goes in, what
/// the editor saved comes back into the composer; an editor that fails leaves the draft alone.
#[test]
fn the_reply_goes_to_the_editor_and_comes_back() {
    let (store, account) = demo_store(3);
    let mut ui = harness(store, account, (100, 30), false);
    let dir = tempfile::tempdir().unwrap();
    let got = dir.path().join("got");
    let script = dir.path().join("editor.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncp \"$1\" '{}'\nprintf 'Thanks, Layla!\\nYour refund left today — شكراً 🙏\\n' > \"$1\"\n",
            got.display()
        ),
    )
    .unwrap();
    ui.editor = Some(format!("sh {}", script.display()));
    ui.keys("enter");
    ui.type_text("Hi there");
    ui.keys("ctrl+o");
    assert_eq!(std::fs::read_to_string(&got).unwrap(), "Hi there");
    let composer = ui.state.composer.as_ref().unwrap();
    assert_eq!(
        composer.text(),
        "Thanks, Layla!\nYour refund left today — شكراً 🙏"
    );
    let screen = ui.screen();
    assert!(
        screen.contains("Reply brought back from the editor"),
        "{screen}"
    );

    ui.editor = Some("false".into());
    ui.keys("ctrl+o");
    assert_eq!(
        ui.state.composer.as_ref().unwrap().text(),
        "Thanks, Layla!\nYour refund left today — شكراً 🙏"
    );
    assert!(ui.screen().contains("exited with"), "the failure is said");

    // From the list, Ctrl+O starts a reply in the editor straight away.
    ui.keys("esc");
    assert_eq!(ui.state.focus, hark::app::Pane::Thread);
    ui.keys("h j");
    assert_eq!(ui.state.focus, hark::app::Pane::List);
    ui.editor = Some(format!("sh {}", script.display()));
    ui.keys("ctrl+o");
    assert_eq!(std::fs::read_to_string(&got).unwrap(), "");
    assert!(
        ui.state
            .composer
            .as_ref()
            .unwrap()
            .text()
            .starts_with("Thanks, Layla!")
    );
}

/// O opens the conversation's original post in the browser (or, over SSH, shows its link and
/// copies it); y copies the link with OSC 52; a DM has no post to open.
#[test]
fn the_original_post_opens_or_its_link_is_copied() {
    let (mut store, demo_account) = demo_store(2);
    let masto = store
        .upsert_account(
            &NewAccount {
                name: "masto".into(),
                network: NetworkKind::Mastodon,
                handle: "@brand@m.example".into(),
                remote_id: Some("1".into()),
                display_name: None,
                credentials_ref: None,
            },
            0,
        )
        .unwrap();
    let who = hark::model::RemoteContact {
        remote_id: "9".into(),
        handle: "@kim@m.example".into(),
        name: Some("Kim".into()),
        avatar_url: None,
        bio: None,
        followers: None,
        profile_url: None,
    };
    let item = hark::model::IncomingItem {
        kind: hark::model::ConversationKind::Mention,
        root_remote_id: "110".into(),
        subject: None,
        customer: who.clone(),
        message: hark::model::RemoteMessage {
            remote_id: "110".into(),
            parent_remote_id: None,
            direction: hark::model::Direction::In,
            author: who,
            text: "@brand where is my order?".into(),
            created_at: start() + chrono::Duration::days(1),
            liked: false,
            hidden: None,
            raw: serde_json::json!({ "id": "110", "url": "https://m.example/@kim/110" }).into(),
        },
    };
    store
        .ingest(masto, NetworkKind::Mastodon, "mentions", &[item], None, 0)
        .unwrap();
    let mut ui = harness(store, demo_account, (100, 30), false);
    ui.screen();
    assert_eq!(ui.state.rows[0].account, "masto");

    ui.state.can_open_browser = true;
    ui.keys("O");
    assert_eq!(ui.opened, ["https://m.example/@kim/110"]);
    assert!(ui.screen().contains("Opening https://m.example/@kim/110"));

    ui.state.can_open_browser = false;
    ui.keys("O");
    assert_eq!(ui.opened.len(), 1, "no browser over SSH");
    assert_eq!(ui.copied, ["https://m.example/@kim/110"]);
    assert!(ui.screen().contains("https://m.example/@kim/110 — copied"));
    ui.keys("y");
    assert_eq!(ui.copied.len(), 2);

    // The demo conversations have no public post.
    ui.keys("j");
    ui.keys("y");
    assert_eq!(ui.copied.len(), 2);
    assert!(ui.screen().contains("no public post"));
}

/// With [notify] on, new conversations and assignments by someone else call for attention;
/// the first counts and this person's own changes do not.
#[test]
fn new_conversations_and_assignments_ring() {
    let (store, account) = demo_store(3);
    let mut ui = harness(store, account, (100, 30), false);
    ui.state.notify = hark::config::NotifyConfig {
        bell: true,
        desktop: true,
    };
    ui.screen();
    assert!(ui.notified.is_empty(), "nothing on start");
    let first = open_ids(&ui.store)[0];
    ui.store.assign(&[first], Some("ana"), "bo", 0).unwrap();
    ui.dispatch(hark::app::Action::StoreChanged);
    assert_eq!(ui.notified, ["1 conversation assigned to you"]);
    ui.keys("c");
    ui.dispatch(hark::app::Action::StoreChanged);
    assert_eq!(ui.notified.len(), 1, "closing one is not news");

    let demo = DemoNetwork::new(
        DemoSettings {
            conversations: 5,
            new_conversation_every: None,
            ..DemoSettings::default()
        },
        Arc::new(ManualClock::new(start())),
    );
    let page = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(demo.fetch_since(STREAM, None))
        .unwrap();
    ui.store
        .ingest(account, NetworkKind::Demo, STREAM, &page.items, None, 0)
        .unwrap();
    ui.dispatch(hark::app::Action::StoreChanged);
    assert_eq!(
        ui.notified.last().unwrap(),
        "New conversations in the inbox"
    );
}
