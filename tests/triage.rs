#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
mod common;

use std::sync::Arc;

use common::*;
use hark::clock::ManualClock;
use hark::model::{Folder, NetworkKind, Status};
use hark::networks::Network;
use hark::networks::demo::{DemoNetwork, DemoSettings, STREAM};
use hark::rules::{Rule, RuleSet, parse_action, parse_condition};
use hark::store::{ContactFields, PageCursor, Store};

fn ids(store: &Store, folder: Folder) -> Vec<i64> {
    store
        .folder_page(&folder, PageCursor::START, 100)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect()
}

fn first(store: &Store) -> i64 {
    ids(store, Folder::Open)[0]
}

fn kinds(store: &Store, id: i64) -> Vec<String> {
    store
        .conversation_events(id)
        .unwrap()
        .into_iter()
        .map(|e| format!("{}:{}", e.actor, e.kind))
        .collect()
}

#[test]
fn tags_are_added_removed_and_become_folders() {
    let (mut store, account) = store_with_account(None);
    ingest(
        &mut store,
        account,
        &[inbound("a", "1", "x", 1), inbound("b", "2", "y", 2)],
        2,
    );
    let all = ids(&store, Folder::Open);
    store.tag(&all, "#Payment", "ana", ms(3)).unwrap();
    store.tag(&all[..1], "payment", "ana", ms(3)).unwrap();
    let tag = store.tag_id("Payment").unwrap().unwrap();
    assert_eq!(
        ids(&store, Folder::Tag(tag)).len(),
        2,
        "bulk tagging; names ignore case and #"
    );
    store.untag(&all[..1], "Payment", "bob", ms(4)).unwrap();
    assert_eq!(ids(&store, Folder::Tag(tag)), vec![all[1]]);
    assert!(kinds(&store, all[0]).contains(&"bob:untagged".to_string()));
    store.set_tag_colour("Payment", Some("red")).unwrap();
    assert_eq!(store.tags().unwrap()[0].colour.as_deref(), Some("red"));
    assert!(store.tag(&all, "  # ", "ana", 0).is_err());
}

#[test]
fn assignment_fills_mine_and_unassigned() {
    let (mut store, account) = store_with_account(None);
    ingest(
        &mut store,
        account,
        &[inbound("a", "1", "x", 1), inbound("b", "2", "y", 2)],
        2,
    );
    let all = ids(&store, Folder::Open);
    store.assign(&all[..1], Some("jack"), "ana", ms(3)).unwrap();
    assert_eq!(ids(&store, Folder::Mine("jack".into())), vec![all[0]]);
    assert_eq!(ids(&store, Folder::Unassigned), vec![all[1]]);
    store.assign(&all[..1], None, "ana", ms(4)).unwrap();
    assert_eq!(ids(&store, Folder::Unassigned).len(), 2);
    assert!(kinds(&store, all[0]).ends_with(&["ana:assigned".into(), "ana:unassigned".into()]));
    assert_eq!(store.agents_seen().unwrap(), vec!["ana".to_string()]);
}

#[test]
fn snoozed_conversations_wake_when_their_time_comes() {
    let (mut store, account) = store_with_account(None);
    ingest(&mut store, account, &[inbound("a", "1", "x", 1)], 1);
    let id = first(&store);
    assert!(
        store.snooze(&[id], ms(0), "ana", ms(5)).is_err(),
        "a snooze ends in the future"
    );
    store.snooze(&[id], ms(60), "ana", ms(5)).unwrap();
    assert_eq!(ids(&store, Folder::Snoozed), vec![id]);
    assert!(ids(&store, Folder::Open).is_empty());
    assert!(store.wake_snoozed(ms(59)).unwrap().is_empty());
    assert_eq!(store.wake_snoozed(ms(60)).unwrap(), vec![id]);
    assert_eq!(ids(&store, Folder::Open), vec![id]);
    assert!(kinds(&store, id).ends_with(&["ana:snoozed".into(), "sync:reopened".into()]));
    assert!(store.wake_snoozed(ms(61)).unwrap().is_empty(), "wakes once");
}

#[test]
fn notes_are_kept_in_order_with_their_author() {
    let (mut store, account) = store_with_account(None);
    ingest(&mut store, account, &[inbound("a", "1", "x", 1)], 1);
    let id = first(&store);
    store
        .add_note(id, "Called her, refund approved", "ana", ms(2))
        .unwrap();
    store.add_note(id, "Refund sent", "bob", ms(3)).unwrap();
    assert!(store.add_note(id, "  ", "bob", ms(3)).is_err());
    let notes = store.notes(id).unwrap();
    assert_eq!(
        notes
            .iter()
            .map(|n| (n.author.as_str(), n.body.as_str()))
            .collect::<Vec<_>>(),
        [
            ("ana", "Called her, refund approved"),
            ("bob", "Refund sent")
        ]
    );
    assert!(kinds(&store, id).contains(&"bob:note_added".to_string()));
}

#[test]
fn priority_sorts_and_vip_customers_rank_high() {
    let (mut store, account) = store_with_account(None);
    ingest(&mut store, account, &[inbound("a", "1", "x", 1)], 1);
    let id = first(&store);
    store.set_priority(&[id], 9, "ana", ms(2)).unwrap();
    assert_eq!(
        store.conversation(id).unwrap().row.priority,
        2,
        "clamped to urgent"
    );
    store.set_priority(&[id], 0, "ana", ms(2)).unwrap();
    let contact = store.conversation(id).unwrap().contact_id.unwrap();
    store.set_vip(contact, true, "ana", ms(3)).unwrap();
    assert_eq!(
        store.conversation(id).unwrap().row.priority,
        1,
        "a VIP ranks high at once"
    );
    // A new conversation from the VIP arrives high.
    ingest(
        &mut store,
        account,
        &[inbound("b", "2", "hello again", 5)],
        5,
    );
    let newest = first(&store);
    assert_ne!(newest, id);
    assert_eq!(store.conversation(newest).unwrap().row.priority, 1);
}

#[test]
fn a_profile_holds_team_fields_notes_and_history_across_networks() {
    let (mut store, account) = store_with_account(None);
    let mut on_other = inbound("x", "9", "hi from elsewhere", 3);
    on_other.customer = customer("other-network-id", "Layla H.");
    on_other.message.author = on_other.customer.clone();
    ingest(
        &mut store,
        account,
        &[
            inbound("a", "1", "first", 1),
            inbound("b", "2", "second", 2),
            on_other,
        ],
        3,
    );
    let layla = store
        .conversation(ids(&store, Folder::Open)[2])
        .unwrap()
        .contact_id
        .unwrap();
    let other = store
        .conversation(ids(&store, Folder::Open)[0])
        .unwrap()
        .contact_id
        .unwrap();
    assert_eq!(store.person_conversations(layla).unwrap().len(), 2);

    store.link_contacts(layla, other, "ana", ms(4)).unwrap();
    assert_eq!(
        store.person_conversations(layla).unwrap().len(),
        3,
        "linking merges the history"
    );
    assert_eq!(store.person_conversations(other).unwrap().len(), 3);
    assert_eq!(store.person(other).unwrap().len(), 2);

    let mut fields = ContactFields {
        email: Some(" layla@example.com ".into()),
        order_ref: Some("#48213".into()),
        ..ContactFields::default()
    };
    fields.custom.insert("plan".into(), "Monthly".into());
    store
        .update_contact_fields(layla, &fields, "ana", ms(5))
        .unwrap();
    store
        .add_contact_note(other, "Prefers Arabic", "bob", ms(6))
        .unwrap();
    let contact = store.contact(layla).unwrap();
    assert_eq!(contact.fields.email.as_deref(), Some("layla@example.com"));
    assert_eq!(contact.fields.custom["plan"], "Monthly");
    assert_eq!(
        store.contact_notes(layla).unwrap()[0].body,
        "Prefers Arabic",
        "notes follow the person"
    );
    store.set_vip(other, true, "ana", ms(7)).unwrap();
    assert!(
        store.contact(layla).unwrap().vip,
        "one person, one VIP flag"
    );
    assert_eq!(store.find_contacts("layla", 10).unwrap().len(), 2);
}

fn rule(name: &str, when: &str, then: &[&str], stop: bool) -> Rule {
    Rule {
        name: name.into(),
        when: when.into(),
        condition: parse_condition(when).unwrap(),
        actions: then.iter().map(|a| parse_action(a).unwrap()).collect(),
        stop,
    }
}

#[test]
fn rules_run_at_ingest_and_are_logged_as_theirs() {
    let (mut store, account) = store_with_account(None);
    let rules = RuleSet {
        rules: vec![
            rule("pay", "contains pay", &["tag Payment"], false),
            rule(
                "urgent",
                "contains urgent",
                &["tag Urgent", "priority urgent", "assign jack"],
                true,
            ),
            rule("after stop", "contains urgent", &["close"], false),
            rule("snooze thanks", "begins with thanks", &["snooze 2h"], false),
        ],
    };
    let items = [
        inbound("a", "1", "URGENT my payment failed", 1),
        inbound("b", "2", "Thanks a lot!", 2),
    ];
    let report = store
        .ingest_with_rules(
            account,
            NetworkKind::Demo,
            "inbox",
            &items,
            None,
            ms(3),
            &rules,
        )
        .unwrap();
    let hits: Vec<&str> = report
        .rule_hits
        .iter()
        .map(|(_, h)| h.rule.as_str())
        .collect();
    assert_eq!(hits, ["pay", "urgent", "snooze thanks"]);
    let urgent = report.rule_hits[0].0;
    let row = store.conversation(urgent).unwrap().row;
    assert_eq!(row.tags, vec!["Payment".to_string(), "Urgent".to_string()]);
    assert_eq!(
        (row.priority, row.assignee.as_deref(), row.status),
        (2, Some("jack"), Status::Open)
    );
    assert!(kinds(&store, urgent).contains(&"rule:urgent:assigned".to_string()));
    let thanks = report.rule_hits[2].0;
    let snoozed = store.conversation(thanks).unwrap().row;
    assert_eq!(
        (snoozed.status, snoozed.snoozed_until),
        (Status::Snoozed, Some(ms(3) + 2 * 3_600_000))
    );

    // The same items again are not new: no rule runs twice.
    let again = store
        .ingest_with_rules(
            account,
            NetworkKind::Demo,
            "inbox",
            &items,
            None,
            ms(4),
            &rules,
        )
        .unwrap();
    assert!(again.rule_hits.is_empty());
}

#[test]
fn languages_of_the_demo_inbox_are_detected() {
    let demo = DemoNetwork::new(DemoSettings::default(), Arc::new(ManualClock::new(t(0))));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (mut total, mut right, mut unsure) = (0, 0, 0);
    let mut cursor = None;
    loop {
        let page = runtime
            .block_on(demo.fetch_since(STREAM, cursor.as_deref()))
            .unwrap();
        for item in &page.items {
            let Some(code) = item
                .customer
                .remote_id
                .strip_prefix("demo-u-")
                .and_then(|r| r.split('-').next())
            else {
                continue;
            };
            if item.message.direction != hark::model::Direction::In {
                continue;
            }
            let Some(expected) = hark::rules::text::language_named(code) else {
                continue; // the spammer
            };
            let found = hark::rules::text::detect_language(&item.message.text);
            total += 1;
            match found {
                Some(lang) if lang == expected => right += 1,
                Some(lang) => panic!("{code} read as {lang:?}: {:?}", item.message.text),
                None => unsure += 1,
            }
        }
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    // Never wrong; short Latin-script messages may stay undetermined.
    assert_eq!(right + unsure, total);
    assert!(
        right * 100 >= total * 60,
        "{right} of {total} detected ({unsure} unsure)"
    );
}

#[test]
fn folders_sort_newest_oldest_and_by_priority_across_pages() {
    use hark::model::Sort;
    let (mut store, account) = store_with_account(None);
    let items: Vec<_> = (0..25)
        .map(|i| inbound(&format!("r{i}"), &format!("m{i}"), "x", i / 2))
        .collect();
    ingest(&mut store, account, &items, 30);
    let all = ids(&store, Folder::Open);
    store.set_priority(&all[20..23], 1, "ana", 0).unwrap();
    store.set_priority(&all[5..6], 2, "ana", 0).unwrap();
    let walk = |sort: Sort| -> Vec<(i64, i64, i64)> {
        let mut out = Vec::new();
        let mut cursor = PageCursor::start(sort);
        loop {
            let page = store.folder_page(&Folder::Open, cursor, 4).unwrap();
            let Some(last) = page.last() else { break };
            cursor = last.cursor_for(sort);
            out.extend(page.iter().map(|r| (r.priority, r.last_message_at, r.id)));
        }
        out
    };
    let newest = walk(Sort::Newest);
    let oldest = walk(Sort::Oldest);
    let by_priority = walk(Sort::Priority);
    for order in [&newest, &oldest, &by_priority] {
        assert_eq!(order.len(), 25, "every conversation once");
    }
    let mut reversed = newest.clone();
    reversed.reverse();
    assert_eq!(oldest, reversed);
    assert_eq!(by_priority[0].0, 2);
    assert!(by_priority[1..4].iter().all(|r| r.0 == 1));
    assert!(
        by_priority
            .windows(2)
            .all(|w| (w[0].0, w[0].1, w[0].2) > (w[1].0, w[1].1, w[1].2))
    );
}
