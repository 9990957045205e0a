//! Triage in the inbox: the tag and assignee pickers, snooze choices, notes, marking
//! conversations for bulk changes, and the customer profile.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use ratatui_textarea::TextArea;

use super::{AppState, Effect, Pane};
use crate::model::{Millis, Status, to_millis};
use crate::store::{Contact, ContactFields, ConversationRow, Note};

/// One line of a picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub label: String,
    pub value: String,
    /// Already applied (a tag the conversation has, its current assignee).
    pub checked: bool,
}

/// A list to choose from by typing: fuzzy filtered, with the option to make a new entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoicePicker {
    pub title: &'static str,
    pub query: String,
    pub choices: Vec<Choice>,
    /// Indices into `choices` that match the query, best first.
    pub shown: Vec<usize>,
    pub selected: usize,
    /// What choosing the typed text as a new entry is called ("create tag"), if allowed.
    pub new_entry: Option<&'static str>,
}

/// What a key did to a picker.
enum Picked {
    Nothing,
    Cancel,
    /// An existing choice (its value, and whether it was checked).
    Choice(String, bool),
    /// The typed text, as a new entry.
    New(String),
}

impl ChoicePicker {
    pub fn new(
        title: &'static str,
        choices: Vec<Choice>,
        new_entry: Option<&'static str>,
    ) -> ChoicePicker {
        let mut picker = ChoicePicker {
            title,
            query: String::new(),
            shown: Vec::new(),
            choices,
            selected: 0,
            new_entry,
        };
        picker.filter();
        picker
    }

    fn filter(&mut self) {
        let matcher = SkimMatcherV2::default().ignore_case();
        let mut scored: Vec<(i64, usize)> = self
            .choices
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                if self.query.is_empty() {
                    Some((0, i))
                } else {
                    matcher.fuzzy_match(&c.label, &self.query).map(|s| (s, i))
                }
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.shown = scored.into_iter().map(|(_, i)| i).collect();
        self.selected = 0;
    }

    /// Whether the typed text would be a new entry (nothing is called exactly that).
    pub fn offers_new(&self) -> bool {
        self.new_entry.is_some()
            && !self.query.trim().is_empty()
            && !self
                .choices
                .iter()
                .any(|c| c.label.eq_ignore_ascii_case(self.query.trim()))
    }

    /// Rows the picker shows: the matches, then the new entry (if offered).
    pub fn rows(&self) -> usize {
        self.shown.len() + usize::from(self.offers_new())
    }

    fn key(&mut self, key: KeyEvent) -> Picked {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return Picked::Cancel,
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Char('p') if ctrl => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => self.selected = (self.selected + 1).min(self.rows().saturating_sub(1)),
            KeyCode::Char('n') if ctrl => {
                self.selected = (self.selected + 1).min(self.rows().saturating_sub(1))
            }
            KeyCode::Enter | KeyCode::Tab => {
                return match self
                    .shown
                    .get(self.selected)
                    .and_then(|&i| self.choices.get(i))
                {
                    Some(choice) => Picked::Choice(choice.value.clone(), choice.checked),
                    None if self.offers_new() => Picked::New(self.query.trim().to_owned()),
                    None => Picked::Nothing,
                };
            }
            KeyCode::Backspace => {
                self.query.pop();
                self.filter();
            }
            KeyCode::Char(c) if !ctrl => {
                self.query.push(c);
                self.filter();
            }
            _ => {}
        }
        Picked::Nothing
    }
}

/// The overlays triage opens over the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Tags(ChoicePicker),
    Assign(ChoicePicker),
    /// Snooze: quick choices by number, or a typed time.
    Snooze {
        typed: String,
    },
    /// Link the profile's customer to another contact.
    Link(ChoicePicker),
    Rules,
}

/// A note being written, on a conversation or on a customer.
#[derive(Debug, Clone)]
pub struct NoteEditor {
    pub target: NoteTarget,
    pub textarea: TextArea<'static>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteTarget {
    Conversation(i64),
    Contact(i64),
}

/// The customer panel.
#[derive(Debug, Clone)]
pub struct Profile {
    pub contact_id: i64,
    pub data: Option<ProfileData>,
    /// The team fields being edited: email, order reference, custom fields ("key: value" lines).
    pub form: Option<(usize, [TextArea<'static>; 3])>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileData {
    pub contact: Contact,
    /// The same person on other networks.
    pub linked: Vec<Contact>,
    pub notes: Vec<Note>,
    pub conversations: Vec<ConversationRow>,
}

pub const PROFILE_FIELDS: [&str; 3] = [
    "Email",
    "Order / reference",
    "Custom fields (key: value, one a line)",
];

/// The conversations a triage command acts on: the marked ones, else the selected one.
pub fn targets(state: &AppState) -> Vec<i64> {
    if state.marked.is_empty() {
        state.selected_row().map(|r| vec![r.id]).unwrap_or_default()
    } else {
        state.marked.iter().copied().collect()
    }
}

pub fn toggle_mark(state: &mut AppState) {
    if let Some(id) = state.selected_row().map(|r| r.id)
        && !state.marked.remove(&id)
    {
        state.marked.insert(id);
    }
}

pub fn open_tags(state: &mut AppState) -> Vec<Effect> {
    let ids = targets(state);
    if ids.is_empty() {
        return Vec::new();
    }
    let on_all = |name: &str| {
        ids.iter().all(|id| {
            state
                .rows
                .iter()
                .find(|r| r.id == *id)
                .is_some_and(|r| r.tags.iter().any(|t| t.eq_ignore_ascii_case(name)))
        })
    };
    let choices = state
        .tags
        .iter()
        .map(|tag| Choice {
            label: tag.name.clone(),
            value: tag.name.clone(),
            checked: on_all(&tag.name),
        })
        .collect();
    state.overlay = Some(Overlay::Tags(ChoicePicker::new(
        "Tags",
        choices,
        Some("create tag"),
    )));
    vec![Effect::LoadTags]
}

pub fn open_assign(state: &mut AppState) -> Vec<Effect> {
    if targets(state).is_empty() {
        return Vec::new();
    }
    let current = state.selected_row().and_then(|r| r.assignee.clone());
    let mut choices = vec![Choice {
        label: "Unassigned".into(),
        value: String::new(),
        checked: current.is_none(),
    }];
    let mut agents: BTreeSet<String> = state.agents.iter().cloned().collect();
    agents.insert(state.agent.clone());
    choices.extend(agents.into_iter().map(|agent| Choice {
        checked: current.as_deref() == Some(agent.as_str()),
        label: agent.clone(),
        value: agent,
    }));
    state.overlay = Some(Overlay::Assign(ChoicePicker::new(
        "Assign to",
        choices,
        Some("assign to"),
    )));
    vec![Effect::LoadAgents]
}

pub fn open_note(state: &mut AppState) {
    let target = match (&state.profile, state.selected_row()) {
        (Some(profile), _) => NoteTarget::Contact(profile.contact_id),
        (None, Some(row)) => NoteTarget::Conversation(row.id),
        (None, None) => return,
    };
    let mut textarea = TextArea::default();
    textarea.set_placeholder_text("A note for the team (never sent)…");
    state.note = Some(NoteEditor { target, textarea });
}

pub fn toggle_profile(state: &mut AppState) -> Vec<Effect> {
    if state.profile.take().is_some() {
        return Vec::new();
    }
    let Some(contact_id) = state.thread.as_ref().and_then(|t| t.detail.contact_id) else {
        state.error = Some("This conversation has no customer profile".into());
        return Vec::new();
    };
    state.profile = Some(Profile {
        contact_id,
        data: None,
        form: None,
    });
    vec![Effect::LoadProfile(contact_id)]
}

/// The profile follows the selected conversation's customer.
pub fn follow_profile(state: &mut AppState) -> Vec<Effect> {
    let contact = state.thread.as_ref().and_then(|t| t.detail.contact_id);
    match (&mut state.profile, contact) {
        (Some(profile), Some(contact_id))
            if profile.contact_id != contact_id && profile.form.is_none() =>
        {
            profile.contact_id = contact_id;
            profile.data = None;
            vec![Effect::LoadProfile(contact_id)]
        }
        _ => Vec::new(),
    }
}

pub fn cycle_priority(state: &mut AppState) -> Vec<Effect> {
    let ids = targets(state);
    let Some(current) = state.selected_row().map(|r| r.priority) else {
        return Vec::new();
    };
    let level = (current + 1) % (crate::store::MAX_PRIORITY + 1);
    vec![Effect::SetPriority { ids, level }]
}

pub fn close_or_reopen(state: &mut AppState) -> Vec<Effect> {
    let ids = targets(state);
    let Some(row) = state.selected_row() else {
        return Vec::new();
    };
    let status = if row.status == Status::Open {
        Status::Closed
    } else {
        Status::Open
    };
    state.marked.clear();
    vec![Effect::SetStatuses { ids, status }]
}

/// Keys while an overlay is open.
pub fn overlay_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let ids = targets(state);
    let Some(overlay) = state.overlay.as_mut() else {
        return Vec::new();
    };
    match overlay {
        Overlay::Rules => {
            state.overlay = None;
            Vec::new()
        }
        Overlay::Tags(picker) => match picker.key(key) {
            Picked::Nothing => Vec::new(),
            Picked::Cancel => close(state),
            Picked::Choice(name, true) => {
                state.overlay = None;
                vec![Effect::Untag { ids, name }]
            }
            Picked::Choice(name, false) | Picked::New(name) => {
                state.overlay = None;
                vec![Effect::Tag { ids, name }]
            }
        },
        Overlay::Assign(picker) => match picker.key(key) {
            Picked::Nothing => Vec::new(),
            Picked::Cancel => close(state),
            Picked::Choice(agent, _) | Picked::New(agent) => {
                state.overlay = None;
                let agent = (!agent.is_empty()).then_some(agent);
                vec![Effect::Assign { ids, agent }]
            }
        },
        Overlay::Link(picker) => {
            let before = picker.query.clone();
            match picker.key(key) {
                Picked::Cancel => close(state),
                Picked::Choice(value, _) => {
                    state.overlay = None;
                    let (Some(profile), Ok(other)) = (&state.profile, value.parse::<i64>()) else {
                        return Vec::new();
                    };
                    vec![Effect::LinkContacts {
                        a: profile.contact_id,
                        b: other,
                    }]
                }
                Picked::New(_) | Picked::Nothing => {
                    let query = picker.query.clone();
                    if query != before && query.trim().chars().count() >= 2 {
                        vec![Effect::FindContacts(query)]
                    } else {
                        Vec::new()
                    }
                }
            }
        }
        Overlay::Snooze { typed } => match key.code {
            KeyCode::Esc => close(state),
            KeyCode::Char(c @ '1'..='4') if typed.is_empty() => {
                let until = quick_snooze(c, state.now, state.utc_offset);
                state.overlay = None;
                vec![Effect::Snooze { ids, until }]
            }
            KeyCode::Backspace => {
                typed.pop();
                Vec::new()
            }
            KeyCode::Enter => match parse_snooze(typed, state.now, state.utc_offset) {
                Some(until) if until > state.now => {
                    state.overlay = None;
                    vec![Effect::Snooze { ids, until }]
                }
                _ => {
                    state.error = Some(format!(
                        "'{typed}' is not a time to snooze to: try 2h, 3d, tomorrow 14:00 or 2026-12-01 09:00"
                    ));
                    Vec::new()
                }
            },
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                typed.push(c);
                Vec::new()
            }
            _ => Vec::new(),
        },
    }
}

fn close(state: &mut AppState) -> Vec<Effect> {
    state.overlay = None;
    Vec::new()
}

/// Keys while a note is being written: Ctrl+S saves, Esc drops it, the rest types.
pub fn note_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(note) = state.note.as_mut() else {
        return Vec::new();
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => {
            state.note = None;
            Vec::new()
        }
        KeyCode::Char('s') if ctrl => {
            let body = note.textarea.lines().join("\n");
            if body.trim().is_empty() {
                state.error = Some("The note is empty".into());
                return Vec::new();
            }
            let target = note.target;
            state.note = None;
            match target {
                NoteTarget::Conversation(conversation_id) => vec![Effect::AddNote {
                    conversation_id,
                    body,
                }],
                NoteTarget::Contact(contact_id) => {
                    vec![Effect::AddContactNote { contact_id, body }]
                }
            }
        }
        _ => {
            note.textarea.input(key);
            Vec::new()
        }
    }
}

/// Keys the profile panel takes while it is shown (None: not one of them).
pub fn profile_key(state: &mut AppState, key: KeyEvent) -> Option<Vec<Effect>> {
    let profile = state.profile.as_mut()?;
    if let Some((field, inputs)) = profile.form.as_mut() {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => profile.form = None,
            KeyCode::Tab => *field = (*field + 1) % 3,
            KeyCode::BackTab => *field = (*field + 2) % 3,
            KeyCode::Enter if *field < 2 => *field += 1,
            KeyCode::Char('s') if ctrl => {
                let value = |i: usize| inputs[i].lines().join("\n");
                let mut fields = ContactFields {
                    email: Some(value(0)),
                    order_ref: Some(value(1)),
                    ..ContactFields::default()
                };
                for line in value(2).lines() {
                    match line.split_once(':') {
                        Some((k, v)) if !k.trim().is_empty() => {
                            fields
                                .custom
                                .insert(k.trim().to_owned(), v.trim().to_owned());
                        }
                        _ if line.trim().is_empty() => {}
                        _ => {
                            state.error = Some(format!("'{line}' is not 'key: value'"));
                            return Some(Vec::new());
                        }
                    }
                }
                let contact_id = profile.contact_id;
                profile.form = None;
                return Some(vec![Effect::UpdateContact { contact_id, fields }]);
            }
            _ => {
                inputs[*field].input(key);
            }
        }
        return Some(Vec::new());
    }
    let data = profile.data.as_ref()?;
    match key.code {
        KeyCode::Char('v') => Some(vec![Effect::SetVip {
            contact_id: profile.contact_id,
            vip: !data.contact.vip,
        }]),
        KeyCode::Char('e') => {
            let fields = &data.contact.fields;
            let area = |text: &str| TextArea::new(text.split('\n').map(str::to_owned).collect());
            let custom: Vec<String> = fields
                .custom
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            profile.form = Some((
                0,
                [
                    area(fields.email.as_deref().unwrap_or("")),
                    area(fields.order_ref.as_deref().unwrap_or("")),
                    area(&custom.join("\n")),
                ],
            ));
            Some(Vec::new())
        }
        KeyCode::Char('L') => {
            state.overlay = Some(Overlay::Link(ChoicePicker::new(
                "Link to (type a handle or name)",
                Vec::new(),
                None,
            )));
            Some(Vec::new())
        }
        KeyCode::Esc => {
            state.profile = None;
            Some(Vec::new())
        }
        _ => None,
    }
}

/// The quick snooze choices: 1 an hour, 2 four hours, 3 tomorrow 9:00, 4 next Monday 9:00.
pub const SNOOZE_CHOICES: [&str; 4] = [
    "1 hour",
    "4 hours",
    "tomorrow 9:00",
    "next week (Monday 9:00)",
];

fn quick_snooze(choice: char, now: Millis, offset: FixedOffset) -> Millis {
    let hour = 3_600_000;
    match choice {
        '1' => now + hour,
        '2' => now + 4 * hour,
        '3' => at_local(now, offset, 1, 9),
        _ => {
            let today = local(now, offset).weekday().num_days_from_monday();
            at_local(now, offset, 7 - i64::from(today), 9)
        }
    }
}

fn local(now: Millis, offset: FixedOffset) -> DateTime<FixedOffset> {
    crate::model::from_millis(now).with_timezone(&offset)
}

/// `days` from today, at `hour`:00 local time.
fn at_local(now: Millis, offset: FixedOffset, days: i64, hour: u32) -> Millis {
    let day = local(now, offset).date_naive() + Duration::days(days);
    let time = NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default();
    offset
        .from_local_datetime(&day.and_time(time))
        .single()
        .map_or(now, |t| to_millis(t.with_timezone(&Utc)))
}

/// "2h", "3d", "tomorrow 14:00", "14:30" (today, or tomorrow if past), "2026-12-01 09:00".
pub fn parse_snooze(text: &str, now: Millis, offset: FixedOffset) -> Option<Millis> {
    let text = text.trim().to_lowercase();
    if let Some(duration) = crate::rules::text::parse_duration(&text) {
        return Some(now + i64::try_from(duration.as_millis()).ok()?);
    }
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok();
    if let Some(rest) = text.strip_prefix("tomorrow") {
        let time = if rest.trim().is_empty() {
            NaiveTime::from_hms_opt(9, 0, 0)?
        } else {
            time(rest)?
        };
        let day = local(now, offset).date_naive() + Duration::days(1);
        return offset
            .from_local_datetime(&day.and_time(time))
            .single()
            .map(|t| to_millis(t.with_timezone(&Utc)));
    }
    if let Some(at) = time(&text) {
        let today = local(now, offset).date_naive();
        let mut when = offset.from_local_datetime(&today.and_time(at)).single()?;
        if to_millis(when.with_timezone(&Utc)) <= now {
            when += Duration::days(1);
        }
        return Some(to_millis(when.with_timezone(&Utc)));
    }
    let moment = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M")
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(9, 0, 0))
        })?;
    offset
        .from_local_datetime(&moment)
        .single()
        .map(|t| to_millis(t.with_timezone(&Utc)))
}

/// Whether the inbox is in a state where the triage keys apply (browsing the list or thread).
pub fn browsing(state: &AppState) -> bool {
    matches!(state.focus, Pane::List | Pane::Thread | Pane::Folders)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Millis {
        to_millis(
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc),
        )
    }

    #[test]
    fn snooze_times_are_read_in_local_time() {
        let offset = FixedOffset::east_opt(2 * 3600).unwrap(); // UTC+2
        let now = utc("2026-03-04T10:30:00Z"); // Wednesday 12:30 local
        assert_eq!(parse_snooze("2h", now, offset), Some(now + 2 * 3_600_000));
        assert_eq!(
            parse_snooze("tomorrow 14:00", now, offset),
            Some(utc("2026-03-05T12:00:00Z"))
        );
        assert_eq!(
            parse_snooze("tomorrow", now, offset),
            Some(utc("2026-03-05T07:00:00Z"))
        );
        assert_eq!(
            parse_snooze("13:00", now, offset),
            Some(utc("2026-03-04T11:00:00Z"))
        );
        assert_eq!(
            parse_snooze("09:00", now, offset),
            Some(utc("2026-03-05T07:00:00Z")),
            "past today: tomorrow"
        );
        assert_eq!(
            parse_snooze("2026-12-01 09:00", now, offset),
            Some(utc("2026-12-01T07:00:00Z"))
        );
        assert_eq!(parse_snooze("whenever", now, offset), None);
        assert_eq!(quick_snooze('3', now, offset), utc("2026-03-05T07:00:00Z"));
        assert_eq!(
            quick_snooze('4', now, offset),
            utc("2026-03-09T07:00:00Z"),
            "next Monday 9:00"
        );
    }

    #[test]
    fn pickers_filter_offer_new_entries_and_choose() {
        let choices = vec![
            Choice {
                label: "Payment".into(),
                value: "Payment".into(),
                checked: true,
            },
            Choice {
                label: "Praise".into(),
                value: "Praise".into(),
                checked: false,
            },
        ];
        let mut picker = ChoicePicker::new("Tags", choices, Some("create tag"));
        for c in "pay".chars() {
            picker.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        assert_eq!(picker.shown, vec![0]);
        assert!(picker.offers_new(), "'pay' is not a tag yet");
        assert!(
            matches!(picker.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)), Picked::Choice(t, true) if t == "Payment")
        );
        picker.key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
        assert!(
            matches!(picker.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)), Picked::New(t) if t == "pay")
        );
    }
}
