//! Carries out the app's effects on the store and answers with the actions they lead to. Used
//! on the inbox's store thread and, synchronously, by the test harness.

use crate::app::{Action, Effect};
use crate::model::Millis;
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
        Effect::LoadThread(id) => match (store.conversation(id), store.draft(agent, id)) {
            (Ok(detail), Ok(draft)) => vec![Action::ThreadLoaded {
                detail: Box::new(detail),
                draft,
            }],
            // Gone meanwhile (e.g. another process changed it): nothing to show.
            (Err(StoreError::NotFound { .. }), _) => Vec::new(),
            (Err(err), _) | (_, Err(err)) => failed(err),
        },
        Effect::MarkRead(id) => match store.mark_read(id) {
            Ok(()) => Vec::new(),
            Err(err) => failed(err),
        },
        Effect::SaveDraft {
            conversation_id,
            body,
        } => match store.save_draft(agent, conversation_id, &body, now) {
            Ok(()) => Vec::new(),
            Err(err) => failed(err),
        },
        Effect::QueueReply {
            conversation_id,
            text,
            close,
            next,
        } => match store.queue_reply(conversation_id, &text, agent, close, now) {
            Ok(_) => vec![Action::ReplyQueued {
                conversation_id,
                closed: close,
                next,
            }],
            Err(err) => failed(err),
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
        Effect::WakeSync => Vec::new(),
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
