use crossterm::event::{KeyCode, KeyModifiers};

use super::*;

fn rules(limit: usize, unit: LengthUnit) -> ReplyRules {
    ReplyRules {
        limit,
        unit,
        signature: None,
    }
}

fn typed(composer: &mut Composer, text: &str, replies: &[SavedReply]) {
    for c in text.chars() {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        composer.input(
            KeyEvent::new(code, KeyModifiers::NONE),
            replies,
            &crate::app::picker::lowercase_bodies(replies),
        );
    }
}

fn saved(id: i64, title: &str, shortcut: Option<&str>, body: &str) -> SavedReply {
    SavedReply {
        id,
        title: title.into(),
        body: body.into(),
        shortcut: shortcut.map(str::to_owned),
        tags: Vec::new(),
        use_count: 0,
        last_used_at: None,
    }
}

fn values(name: &str) -> PlaceholderValues {
    PlaceholderValues {
        name: Some(name.into()),
        handle: Some("h".into()),
        agent: Some("Ana".into()),
        account: Some("Kettle & Crumb".into()),
        network: Some("Demo".into()),
    }
}

#[test]
fn enter_makes_a_new_line_and_the_draft_round_trips() {
    let mut composer = Composer::new(1, "", rules(500, LengthUnit::Characters));
    typed(&mut composer, "Hi Layla,\nsorry!", &[]);
    assert_eq!(composer.text(), "Hi Layla,\nsorry!");
    let restored = Composer::new(1, &composer.text(), rules(500, LengthUnit::Characters));
    assert_eq!(restored.text(), "Hi Layla,\nsorry!");
}

#[test]
fn length_is_counted_the_networks_way_and_checked() {
    let family = "👨‍👩‍👧"; // one grapheme, five characters
    let chars = Composer::new(1, family, rules(4, LengthUnit::Characters));
    assert_eq!(chars.length(), 5);
    assert_eq!(
        chars.check(),
        Err(NotSendable::TooLong {
            length: 5,
            limit: 4
        })
    );
    let graphemes = Composer::new(1, family, rules(4, LengthUnit::Graphemes));
    assert_eq!(graphemes.length(), 1);
    assert_eq!(graphemes.check(), Ok(family.to_string()));
    assert_eq!(
        Composer::new(1, " \n ", rules(4, LengthUnit::Characters)).check(),
        Err(NotSendable::Empty)
    );
}

#[test]
fn the_signature_is_added_once_and_counted() {
    let signed = ReplyRules {
        limit: 20,
        unit: LengthUnit::Characters,
        signature: Some("— Ana".into()),
    };
    let composer = Composer::new(1, "Thanks!", signed.clone());
    assert_eq!(composer.outgoing(), "Thanks!\n— Ana");
    assert_eq!(composer.length(), 13);
    let already = Composer::new(1, "Thanks!\n— Ana\n", signed.clone());
    assert_eq!(already.outgoing(), "Thanks!\n— Ana", "never doubled");
    let long = Composer::new(1, "fifteen chars!!", signed);
    assert_eq!(
        long.check(),
        Err(NotSendable::TooLong {
            length: 21,
            limit: 20
        }),
        "the signature counts"
    );
}

#[test]
fn unsaved_text_is_reported_once() {
    let mut composer = Composer::new(1, "draft", rules(500, LengthUnit::Characters));
    assert_eq!(composer.take_unsaved(), None);
    typed(&mut composer, "!", &[]);
    assert_eq!(
        composer.take_unsaved().map(|d| d.body).as_deref(),
        Some("draft!")
    );
    assert_eq!(composer.take_unsaved(), None);
}

#[test]
fn pasted_escape_sequences_are_dropped() {
    let mut composer = Composer::new(1, "", rules(500, LengthUnit::Characters));
    composer.paste("a\u{1b}[31mb\nc");
    assert_eq!(composer.text(), "a[31mb\nc");
}

#[test]
fn hash_hash_opens_the_picker_and_insertion_replaces_exactly_the_trigger() {
    let replies = vec![
        saved(
            1,
            "Refund on its way",
            Some("refund"),
            "Hi {first_name},\nyour refund left today.\n— {agent}",
        ),
        saved(2, "Payment page", Some("pay"), "The payment page is back."),
    ];
    let mut composer = Composer::new(1, "", rules(500, LengthUnit::Characters));
    typed(&mut composer, "Hello! #", &replies);
    assert!(composer.picker.is_none(), "one # is just a #");
    typed(&mut composer, "#ref", &replies);
    let picker = composer.picker.as_ref().expect("## opens the picker");
    assert_eq!(picker.query, "ref");
    assert_eq!(replies[picker.chosen().unwrap().index].id, 1);
    let inserted = composer
        .insert_chosen(&replies, &values("Layla Haddad"))
        .unwrap();
    assert_eq!(inserted.saved_reply_id, 1);
    assert_eq!(
        composer.text(),
        "Hello! Hi Layla,\nyour refund left today.\n— Ana"
    );
    typed(&mut composer, " ok", &replies);
    assert!(
        composer.text().ends_with("— Ana ok"),
        "the cursor is after the inserted text"
    );
}

#[test]
fn esc_leaves_a_literal_hash_hash_and_moving_away_closes_the_picker() {
    let replies = vec![saved(1, "Thanks", None, "Thank you!")];
    let mut composer = Composer::new(1, "", rules(500, LengthUnit::Characters));
    typed(&mut composer, "Use tag ##", &replies);
    assert!(composer.picker.is_some());
    composer.close_picker();
    typed(&mut composer, "sale", &replies);
    assert!(composer.picker.is_none(), "the picker stays closed");
    assert_eq!(composer.text(), "Use tag ##sale");

    typed(&mut composer, " ##th", &replies);
    assert!(composer.picker.is_some());
    composer.input(
        KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE),
        &replies,
        &crate::app::picker::lowercase_bodies(&replies),
    );
    composer.input(
        KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE),
        &replies,
        &crate::app::picker::lowercase_bodies(&replies),
    );
    composer.input(
        KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE),
        &replies,
        &crate::app::picker::lowercase_bodies(&replies),
    );
    assert!(composer.picker.is_none(), "deleting the ## closes it");
}

#[test]
fn a_multi_line_reply_goes_in_the_middle_of_existing_text() {
    let replies = vec![saved(7, "Two lines", Some("two"), "line one\nline two")];
    let mut composer = Composer::new(1, "", rules(500, LengthUnit::Characters));
    typed(&mut composer, "Before\n##two", &replies);
    composer.insert_chosen(&replies, &values("x")).unwrap();
    typed(&mut composer, "!", &replies);
    assert_eq!(
        composer.textarea.lines(),
        ["Before", "line one", "line two!"]
    );
}
