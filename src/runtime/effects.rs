//! Carries out the app's effects on the store and answers with the actions they lead to. Used
//! on the inbox's store thread and, synchronously, by the test harness.

use crate::app::triage::ProfileData;
use crate::app::{Action, Effect};
use crate::model::{Millis, Status};
use crate::store::{Store, StoreError};

/// Runs one effect. `WakeSync` is the runtime's own business and answers nothing here.
pub fn execute(store: &mut Store, agent: &str, now: Millis, effect: Effect) -> Vec<Action> {
    let failed = |err: StoreError| vec![Action::Failed(err.to_string())];
    match effect {
        Effect::LoadPage {
            folder,
            after,
            limit,
            replace,
        } => match store.folder_page(&folder, after, limit + 1) {
            Ok(mut rows) => {
                let more = rows.len() > limit;
                rows.truncate(limit);
                vec![Action::PageLoaded {
                    folder,
                    rows,
                    more,
                    replace,
                }]
            }
            Err(err) => failed(err),
        },
        Effect::LoadCounts => match store.folder_counts(agent) {
            Ok(counts) => vec![Action::CountsLoaded(counts)],
            Err(err) => failed(err),
        },
        Effect::LoadThread(id) => match (
            store
                .assignment_seen(id, agent)
                .and_then(|()| store.conversation(id)),
            store.draft(agent, id),
            store.notes(id),
        ) {
            (Ok(detail), Ok(draft), Ok(notes)) => vec![Action::ThreadLoaded {
                detail: Box::new(detail),
                draft,
                notes,
            }],
            // Gone meanwhile (e.g. another process changed it): nothing to show.
            (Err(StoreError::NotFound { .. }), ..) => Vec::new(),
            (Err(err), ..) | (_, Err(err), _) | (.., Err(err)) => failed(err),
        },
        Effect::MarkRead(id) => match store.mark_read(id, agent, now) {
            Ok(()) => Vec::new(),
            Err(err) => failed(err),
        },
        Effect::SaveDraft {
            conversation_id,
            draft,
        } => match store.save_draft(agent, conversation_id, &draft, now) {
            Ok(()) => Vec::new(),
            Err(err) => failed(err),
        },
        Effect::QueueReply {
            conversation_id,
            text,
            close,
            next,
            seen_up_to,
        } => match store.queue_reply_unless_answered(
            conversation_id,
            &text,
            agent,
            close,
            seen_up_to,
            now,
        ) {
            Ok(_) => vec![Action::ReplyQueued {
                conversation_id,
                closed: close,
                next,
            }],
            Err(StoreError::TeammateReplied {
                who,
                text: theirs,
                latest_message_id,
            }) => vec![Action::TeammateReplied {
                conversation_id,
                who,
                text: theirs,
                latest_message_id,
                draft: text,
            }],
            Err(err) => keep_as_draft(store, agent, now, conversation_id, text, None, err),
        },
        Effect::SetPresence(doing) => match store.set_presence(agent, doing, now) {
            Ok(()) => Vec::new(),
            Err(err) => failed(err),
        },
        Effect::LoadReport {
            since,
            until,
            utc_offset_minutes,
            hours,
        } => {
            let period = crate::reports::Period {
                since,
                until,
                utc_offset_minutes,
                hours,
            };
            let all = crate::store::ReportFilter::default();
            match (
                store.report_timelines(since, until, &all),
                store.sentiment_split(since, until, &all),
            ) {
                (Ok(timelines), Ok(sentiment)) => {
                    let mut report = crate::reports::compute(&timelines, &period);
                    report.sentiment = sentiment;
                    vec![Action::ReportLoaded(Box::new(report))]
                }
                (Err(err), _) | (_, Err(err)) => failed(err),
            }
        }
        Effect::LoadPresence => match store.presence(now) {
            Ok(list) => vec![Action::PresenceLoaded(list)],
            Err(err) => failed(err),
        },
        Effect::LoadTroubles => match store.recorded_troubles() {
            Ok(troubles) => vec![Action::TroublesLoaded(troubles)],
            Err(err) => failed(err),
        },
        Effect::QueuePrivateReply {
            conversation_id,
            comment_id,
            text,
            max_age,
            next,
        } => match store.queue_private_reply(
            conversation_id,
            Some(comment_id),
            &text,
            agent,
            true,
            max_age,
            now,
        ) {
            Ok(_) => vec![Action::ReplyQueued {
                conversation_id,
                closed: true,
                next,
            }],
            Err(err) => keep_as_draft(
                store,
                agent,
                now,
                conversation_id,
                text,
                Some(comment_id),
                err,
            ),
        },
        Effect::SetStatus {
            conversation_id,
            status,
        } => match store.set_status(conversation_id, status, agent, now) {
            Ok(_) => vec![Action::StatusChanged {
                conversation_id,
                status,
            }],
            Err(err) => failed(err),
        },
        Effect::QueueLike {
            conversation_id,
            message_id,
            like,
        } => match store.queue_like(conversation_id, message_id, like, agent, now) {
            Ok(_) => vec![Action::LikeQueued {
                conversation_id,
                liked: like,
            }],
            Err(err) => failed(err),
        },
        Effect::Search(query) => match store.search(&query, crate::app::SEARCH_LIMIT) {
            Ok(hits) => vec![Action::SearchResults {
                query,
                rows: hits.into_iter().map(|hit| hit.conversation).collect(),
            }],
            Err(err) => failed(err),
        },
        Effect::FindPostUrl {
            conversation_id,
            use_,
        } => match store.post_url(conversation_id) {
            Ok(url) => vec![Action::PostUrl {
                conversation_id,
                url,
                use_,
            }],
            Err(err) => failed(err),
        },
        // Carried out by the runtime itself, never on the store thread.
        Effect::WakeSync
        | Effect::SearchDocs(_)
        | Effect::OpenEditor { .. }
        | Effect::OpenUrl(_)
        | Effect::Notify(_)
        | Effect::Copy(_) => Vec::new(),
        Effect::Tag { ids, name } => changed(
            store.tag(&ids, &name, agent, now),
            format!("Tagged {} with #{name}", count(&ids)),
        ),
        Effect::Untag { ids, name } => changed(
            store.untag(&ids, &name, agent, now),
            format!("Took #{name} off {}", count(&ids)),
        ),
        Effect::Assign {
            ids,
            agent: Some(to),
        } => changed(
            store.assign(&ids, Some(&to), agent, now),
            format!("Assigned {} to {to}", count(&ids)),
        ),
        Effect::Assign { ids, agent: None } => changed(
            store.assign(&ids, None, agent, now),
            format!("Unassigned {}", count(&ids)),
        ),
        Effect::SetPriority { ids, level } => changed(
            store.set_priority(&ids, level, agent, now),
            format!(
                "Priority of {} is now {}",
                count(&ids),
                ["normal", "high", "urgent"][usize::try_from(level).unwrap_or(0).min(2)]
            ),
        ),
        Effect::Snooze { ids, until } => changed(
            store.snooze(&ids, until, agent, now),
            format!(
                "Snoozed {} until {}",
                count(&ids),
                crate::model::from_millis(until)
                    .with_timezone(&chrono::Local)
                    .format("%a %b %-d %H:%M")
            ),
        ),
        Effect::SetStatuses { ids, status } => {
            let verb = if status == Status::Closed {
                "Closed"
            } else {
                "Reopened"
            };
            changed(
                store.set_statuses(&ids, status, agent, now),
                format!("{verb} {}", count(&ids)),
            )
        }
        Effect::AddNote {
            conversation_id,
            body,
        } => changed(
            store
                .add_note(conversation_id, &body, agent, now)
                .map(|_| ()),
            "Note added (the team sees it; the customer never does)".into(),
        ),
        Effect::AddContactNote { contact_id, body } => changed(
            store
                .add_contact_note(contact_id, &body, agent, now)
                .map(|_| ()),
            "Note added to the customer's profile".into(),
        ),
        Effect::SetVip { contact_id, vip } => changed(
            store.set_vip(contact_id, vip, agent, now),
            if vip {
                "Marked VIP: their conversations rank high".into()
            } else {
                "No longer VIP".into()
            },
        ),
        Effect::UpdateContact { contact_id, fields } => changed(
            store.update_contact_fields(contact_id, &fields, agent, now),
            "Profile saved".into(),
        ),
        Effect::LinkContacts { a, b } => changed(
            store.link_contacts(a, b, agent, now),
            "Linked: one person, one history".into(),
        ),
        Effect::LoadProfile(contact_id) => match load_profile(store, contact_id) {
            Ok(data) => vec![Action::ProfileLoaded(Box::new(data))],
            Err(StoreError::NotFound { .. }) => Vec::new(),
            Err(err) => failed(err),
        },
        Effect::FindContacts(query) => match store.find_contacts(&query, 20) {
            Ok(contacts) => vec![Action::ContactsFound { query, contacts }],
            Err(err) => failed(err),
        },
        Effect::RetryFailed(message_id) => match store.retry_failed(message_id, agent, now) {
            Ok(()) => vec![Action::Changed("Sending the failed reply again".into())],
            Err(err) => failed(err),
        },
        Effect::QueueHide { message_id, hide } => changed(
            store.queue_hide(message_id, hide, agent, now).map(|_| ()),
            if hide {
                "Hiding the reply".into()
            } else {
                "Showing the reply again".into()
            },
        ),
        Effect::EditFailed {
            conversation_id,
            message_id,
        } => match store.take_back_failed(message_id) {
            Ok(text) => vec![Action::FailedTakenBack {
                conversation_id,
                text,
            }],
            Err(err) => failed(err),
        },
        Effect::WakeSnoozed => match store.wake_snoozed(now) {
            Ok(woken) if woken.is_empty() => Vec::new(),
            Ok(woken) => vec![Action::Changed(format!(
                "{} snoozed conversation(s) back in Open",
                woken.len()
            ))],
            Err(err) => failed(err),
        },
        Effect::LoadTags => match store.tags() {
            Ok(tags) => vec![Action::TagsLoaded(tags)],
            Err(err) => failed(err),
        },
        Effect::LoadAgents => match store.agents_seen() {
            Ok(agents) => vec![Action::AgentsLoaded(agents)],
            Err(err) => failed(err),
        },
        Effect::LoadSavedReplies => match store.saved_replies() {
            Ok(replies) => vec![Action::SavedRepliesLoaded(replies)],
            Err(err) => failed(err),
        },
        Effect::SaveSavedReply { id, draft } => {
            let saved = match id {
                Some(id) => store.update_saved_reply(id, &draft),
                None => store.add_saved_reply(&draft, now).map(|_| ()),
            };
            match saved {
                Ok(()) => execute(store, agent, now, Effect::LoadSavedReplies),
                Err(err) => failed(err),
            }
        }
        Effect::DeleteSavedReply(id) => match store.delete_saved_reply(id) {
            Ok(()) => execute(store, agent, now, Effect::LoadSavedReplies),
            Err(err) => failed(err),
        },
        Effect::RecordSavedReplyUse {
            saved_reply_id,
            conversation_id,
        } => {
            match store.record_saved_reply_use(saved_reply_id, agent, Some(conversation_id), now) {
                // The picker orders by use, so it needs the new counts.
                Ok(()) => execute(store, agent, now, Effect::LoadSavedReplies),
                Err(err) => failed(err),
            }
        }
    }
}

/// The answer to a triage change: a notice and a reload, or the reason it failed.
fn changed(result: crate::store::StoreResult<()>, notice: String) -> Vec<Action> {
    match result {
        Ok(()) => vec![Action::Changed(notice)],
        Err(err) => vec![Action::Failed(err.to_string())],
    }
}

/// "#12" for one conversation, "3 conversations" for several.
fn count(ids: &[i64]) -> String {
    match ids {
        [one] => format!("#{one}"),
        many => format!("{} conversations", many.len()),
    }
}

fn load_profile(store: &Store, contact_id: i64) -> crate::store::StoreResult<ProfileData> {
    let contact = store.contact(contact_id)?;
    Ok(ProfileData {
        linked: store
            .person(contact_id)?
            .into_iter()
            .filter(|c| c.id != contact_id)
            .collect(),
        notes: store.contact_notes(contact_id)?,
        conversations: store.person_conversations(contact_id)?,
        contact,
    })
}

/// A reply the store would not queue is not lost: it waits as the conversation's draft (still
/// private when it was), and the message says so.
fn keep_as_draft(
    store: &mut Store,
    agent: &str,
    now: Millis,
    conversation_id: i64,
    text: String,
    private_to: Option<i64>,
    err: StoreError,
) -> Vec<Action> {
    let draft = crate::store::Draft {
        body: text,
        private_to,
    };
    match store.save_draft(agent, conversation_id, &draft, now) {
        Ok(()) => vec![Action::Failed(format!(
            "Not sent: {err} (your text is kept as the draft)"
        ))],
        Err(_) => vec![Action::Failed(format!("Not sent: {err}"))],
    }
}
