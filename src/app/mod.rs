//! The inbox's state and the decisions on it. `update` is pure: it changes the state and
//! answers the effects (database work) the runtime must carry out. No I/O happens here.

mod commands;
pub mod composer;
pub mod docs_picker;
pub mod keymap;
pub mod manager;
pub mod picker;
pub mod placeholders;
pub mod presence;
pub mod private_reply;
pub mod report_view;
pub mod triage;

/// Where a DM stands against its network's messaging window.
pub use crate::networks::graph::window::Window as ReplyWindow;
use std::collections::BTreeMap;

use chrono::Offset;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use self::composer::{Composer, PrivateTarget, ReplyRules};
use self::keymap::{Command, Keymap};
use self::placeholders::PlaceholderValues;
use crate::model::{Folder, Millis, NetworkKind, Sort, Status};
use crate::networks::LengthUnit;
use crate::store::{
    Contact, ConversationDetail, ConversationRow, FolderCounts, Note, PageCursor, SavedReply, Tag,
};
use crate::sync::SyncEvent;

/// Rows fetched per page of the conversation list.
pub const PAGE: usize = 100;
/// Load the next page when the selection comes this close to the end of what is loaded.
const PREFETCH_MARGIN: usize = 20;
/// Search results shown at most.
pub const SEARCH_LIMIT: usize = 100;
/// How far `G` loads at once in a long folder (each press goes on from there).
const BOTTOM_JUMP: usize = 10_000;
/// The reply limit assumed for an account this process is not connected to.
const DEFAULT_REPLY_LIMIT: usize = 500;

/// The part of the screen that has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Folders,
    List,
    Thread,
    Composer,
}

/// What the inbox knows about an account's network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    pub name: String,
    /// The brand's name on the network, for `{account}`.
    pub display_name: Option<String>,
    pub network: NetworkKind,
    pub reply_limit: usize,
    pub reply_unit: LengthUnit,
    /// Whether a signature may be added to replies on this network.
    pub signatures: bool,
    /// This account's signature, instead of the agent's.
    pub signature: Option<String>,
    /// Whether the network can hide a customer's reply.
    pub can_hide: bool,
    /// DMs on this account may only be answered within a window: Some(human-agent tag allowed).
    pub dm_window: Option<bool>,
    /// A comment may be answered privately (once) within this long of it.
    pub private_reply: Option<Millis>,
}

/// The conversation shown in the thread pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub detail: ConversationDetail,
    /// The team's notes on it, shown among the messages.
    pub notes: Vec<Note>,
    /// The message selected in the thread pane; None follows the newest.
    pub selected: Option<usize>,
}

/// A search in progress or being browsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub query: String,
    /// Still typing the query (keys type), or browsing the results (keys command).
    pub editing: bool,
    /// The query the shown results are for.
    pub results_for: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub agent: String,
    pub keymap: Keymap,
    pub accounts: BTreeMap<i64, AccountInfo>,
    pub focus: Pane,
    pub folder: Folder,
    pub counts: FolderCounts,
    /// The folder highlighted in the sidebar.
    pub folder_cursor: usize,
    /// The loaded window of the folder (or the search results), newest first.
    pub rows: Vec<ConversationRow>,
    /// Whether the store has more rows after the last loaded one.
    pub more: bool,
    /// A page load is under way (do not ask twice).
    pub loading: bool,
    pub selected: usize,
    pub thread: Option<Thread>,
    pub composer: Option<Composer>,
    pub search: Option<Search>,
    pub help: bool,
    /// The order of the list.
    pub sort: Sort,
    /// Conversations marked for a bulk change.
    pub marked: std::collections::BTreeSet<i64>,
    /// A picker or menu open over the inbox.
    pub overlay: Option<triage::Overlay>,
    /// A note being written.
    pub note: Option<triage::NoteEditor>,
    /// The customer panel, while it is shown.
    pub profile: Option<triage::Profile>,
    pub tags: Vec<Tag>,
    /// Teammates to assign to: from the config and from who has worked in this database.
    pub agents: Vec<String>,
    /// The rules, as written, for the rules overlay: (name, when, then).
    pub rules: Vec<(String, String, String)>,
    /// The local time zone, for snooze times like "tomorrow 9:00".
    pub utc_offset: chrono::FixedOffset,
    /// The saved-replies manager, while it is open.
    pub replies_manager: Option<manager::RepliesManager>,
    /// The saved replies, for the `##` picker.
    pub saved_replies: Vec<SavedReply>,
    /// The saved replies' bodies as the `##` picker searches them, made once per load.
    pub saved_reply_bodies: std::sync::Arc<[String]>,
    /// Whether Help Scout Docs is set up, for the `??` picker.
    pub docs_enabled: bool,
    /// The colours, as configured and as the terminal shows them.
    pub theme: crate::config::theme::Theme,
    /// Whether a browser can be opened here (not over SSH, a desktop session).
    pub can_open_browser: bool,
    /// Whether web addresses on screen are drawn as OSC 8 hyperlinks.
    pub hyperlinks: bool,
    /// Whether to call for attention on new conversations and assignments.
    pub notify: crate::config::NotifyConfig,
    /// Whether folder counts have been loaded once (the first load announces nothing).
    counts_seen: bool,
    /// The agent's signature, added to replies on send.
    pub signature: Option<String>,
    /// A send was refused once because placeholders are unfilled; the same send again goes.
    pub confirm_send: bool,
    /// Per account: what its sync last said.
    pub sync_status: BTreeMap<String, String>,
    /// Another process syncs this database (this one only sends what it queues).
    pub standby: bool,
    /// While on standby: what the syncing process recorded going wrong, by account or
    /// integration channel (its failures reach this inbox only through the database).
    pub recorded_troubles: BTreeMap<String, String>,
    /// The latest error, shown in the status bar until the next key.
    pub error: Option<String>,
    /// The latest confirmation ("Reply queued…"), shown until the next key.
    pub notice: Option<String>,
    pub now: Millis,
    pub quit: bool,
    /// After send-close-next: the conversation to select once the list has reloaded.
    pending_select: Option<i64>,
    /// Select the last row when the page being loaded arrives (`G` in a long folder).
    select_last_on_load: bool,
    /// Whether the person has chosen a conversation: from then on the selection stays on it
    /// when the list changes; before, it stays at the top while the first sync fills the list.
    pinned: bool,
    /// Teammates' inboxes: who is viewing or answering which conversation.
    pub presence: Vec<crate::store::Presence>,
    /// This person's role on the team box (agents use saved replies but do not change them).
    pub role: crate::model::Role,
    /// Response-time targets: the list colours conversations near and past theirs.
    pub sla: crate::model::SlaTargets,
    /// The report over the inbox (`R`), while it is shown.
    pub report_view: Option<report_view::ReportView>,
    pub report_settings: report_view::ReportSettings,
    /// What this inbox last told the others it is doing.
    told_presence: Option<(i64, crate::model::Activity)>,
}

/// What a post's link is wanted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkUse {
    Open,
    Copy,
}

/// Everything that can happen to the inbox.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Key(KeyEvent),
    Paste(String),
    /// Something else changed the database (the sync, another process): reload what is shown.
    StoreChanged,
    /// A page of the folder arrived; `replace` when it is a reload from the top.
    PageLoaded {
        folder: Folder,
        rows: Vec<ConversationRow>,
        more: bool,
        replace: bool,
    },
    CountsLoaded(FolderCounts),
    ThreadLoaded {
        detail: Box<ConversationDetail>,
        draft: Option<crate::store::Draft>,
        notes: Vec<Note>,
    },
    TagsLoaded(Vec<Tag>),
    AgentsLoaded(Vec<String>),
    ProfileLoaded(Box<triage::ProfileData>),
    ContactsFound {
        query: String,
        contacts: Vec<Contact>,
    },
    /// A triage change was saved: say so and show it.
    Changed(String),
    /// A failed reply is back for editing.
    FailedTakenBack {
        conversation_id: i64,
        text: String,
    },
    SearchResults {
        query: String,
        rows: Vec<ConversationRow>,
    },
    ReplyQueued {
        conversation_id: i64,
        closed: bool,
        next: Option<i64>,
    },
    /// A reply was held back: `who` answered the conversation while it was being written.
    TeammateReplied {
        conversation_id: i64,
        who: String,
        text: String,
        latest_message_id: i64,
        /// What the person was sending, back into the composer.
        draft: String,
    },
    /// Time to tell the others again what this inbox is doing, and to see what they do.
    Heartbeat(Millis),
    PresenceLoaded(Vec<crate::store::Presence>),
    /// What the process that syncs this database recorded going wrong.
    TroublesLoaded(Vec<crate::store::Trouble>),
    ReportLoaded(Box<crate::reports::Report>),
    StatusChanged {
        conversation_id: i64,
        status: Status,
    },
    LikeQueued {
        conversation_id: i64,
        liked: bool,
    },
    SavedRepliesLoaded(Vec<SavedReply>),
    /// The editor closed: the reply as saved there, or why it was not.
    EditorDone {
        conversation_id: i64,
        result: Result<String, String>,
    },
    /// The conversation's original post, looked up for `use_`.
    PostUrl {
        conversation_id: i64,
        url: Option<String>,
        use_: LinkUse,
    },
    /// Help Scout Docs answered a `??` search.
    DocsFound {
        query: String,
        results: docs_picker::DocsResults,
    },
    Sync(SyncEvent),
    Failed(String),
    Tick(Millis),
}

/// Work for the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Load `limit` rows of `folder` after `after`.
    LoadPage {
        folder: Folder,
        after: PageCursor,
        limit: usize,
        replace: bool,
    },
    LoadCounts,
    LoadThread(i64),
    MarkRead(i64),
    SaveDraft {
        conversation_id: i64,
        draft: crate::store::Draft,
    },
    QueueReply {
        conversation_id: i64,
        text: String,
        close: bool,
        next: Option<i64>,
        /// The newest message the person had seen when they began: a reply by someone else
        /// after it holds this one back (None: no check).
        seen_up_to: Option<i64>,
    },
    /// Tell the teammates what this inbox is doing (None: nothing).
    SetPresence(Option<(i64, crate::model::Activity)>),
    /// Compute the report of a period.
    LoadReport {
        since: Millis,
        until: Millis,
        utc_offset_minutes: i32,
        hours: Option<crate::reports::BusinessHours>,
    },
    LoadPresence,
    /// Read what the process that syncs recorded going wrong (this one is on standby).
    LoadTroubles,
    /// Answer a comment in its author's private inbox.
    QueuePrivateReply {
        conversation_id: i64,
        comment_id: i64,
        text: String,
        /// How old a comment the network still takes a private reply to.
        max_age: Millis,
        next: Option<i64>,
    },
    SetStatus {
        conversation_id: i64,
        status: Status,
    },
    QueueLike {
        conversation_id: i64,
        message_id: Option<i64>,
        like: bool,
    },
    Search(String),
    /// Search Help Scout Docs for the `??` picker.
    SearchDocs(String),
    /// Look up the conversation's original post.
    FindPostUrl {
        conversation_id: i64,
        use_: LinkUse,
    },
    /// Open a web address in the browser.
    OpenUrl(String),
    /// Call for attention (the bell, a desktop notification), saying this.
    Notify(String),
    /// Put text on the clipboard (OSC 52: the terminal's, which works over SSH too).
    Copy(String),
    /// Hand the terminal to the person's editor with this reply draft.
    OpenEditor {
        conversation_id: i64,
        text: String,
    },
    /// Ask the sync engine to deliver the outbox now.
    WakeSync,
    Tag {
        ids: Vec<i64>,
        name: String,
    },
    Untag {
        ids: Vec<i64>,
        name: String,
    },
    Assign {
        ids: Vec<i64>,
        agent: Option<String>,
    },
    SetPriority {
        ids: Vec<i64>,
        level: i64,
    },
    Snooze {
        ids: Vec<i64>,
        until: Millis,
    },
    SetStatuses {
        ids: Vec<i64>,
        status: Status,
    },
    AddNote {
        conversation_id: i64,
        body: String,
    },
    AddContactNote {
        contact_id: i64,
        body: String,
    },
    LoadProfile(i64),
    SetVip {
        contact_id: i64,
        vip: bool,
    },
    UpdateContact {
        contact_id: i64,
        fields: crate::store::ContactFields,
    },
    LinkContacts {
        a: i64,
        b: i64,
    },
    FindContacts(String),
    LoadTags,
    LoadAgents,
    /// Bring back snoozed conversations whose time has come.
    WakeSnoozed,
    RetryFailed(i64),
    QueueHide {
        message_id: i64,
        hide: bool,
    },
    /// Take a failed reply back into the composer.
    EditFailed {
        conversation_id: i64,
        message_id: i64,
    },
    LoadSavedReplies,
    SaveSavedReply {
        id: Option<i64>,
        draft: crate::store::SavedReplyDraft,
    },
    DeleteSavedReply(i64),
    RecordSavedReplyUse {
        saved_reply_id: i64,
        conversation_id: i64,
    },
}

impl AppState {
    pub fn new(
        agent: String,
        keymap: Keymap,
        accounts: BTreeMap<i64, AccountInfo>,
        now: Millis,
    ) -> AppState {
        AppState {
            agent,
            keymap,
            accounts,
            focus: Pane::List,
            folder: Folder::Open,
            counts: FolderCounts::default(),
            folder_cursor: 0,
            rows: Vec::new(),
            more: false,
            loading: false,
            selected: 0,
            thread: None,
            composer: None,
            search: None,
            help: false,
            sort: Sort::Newest,
            marked: std::collections::BTreeSet::new(),
            overlay: None,
            note: None,
            profile: None,
            tags: Vec::new(),
            agents: Vec::new(),
            rules: Vec::new(),
            utc_offset: chrono::Utc.fix(),
            replies_manager: None,
            saved_replies: Vec::new(),
            docs_enabled: false,
            theme: crate::config::theme::Theme::default(),
            can_open_browser: false,
            hyperlinks: false,
            notify: crate::config::NotifyConfig::default(),
            counts_seen: false,
            saved_reply_bodies: std::sync::Arc::from(Vec::new()),
            signature: None,
            confirm_send: false,
            sync_status: BTreeMap::new(),
            standby: false,
            recorded_troubles: BTreeMap::new(),
            error: None,
            notice: None,
            now,
            quit: false,
            pending_select: None,
            select_last_on_load: false,
            pinned: false,
            presence: Vec::new(),
            role: crate::model::Role::Admin,
            sla: crate::model::SlaTargets::default(),
            report_view: None,
            report_settings: report_view::ReportSettings::default(),
            told_presence: None,
        }
    }

    pub fn selected_row(&self) -> Option<&ConversationRow> {
        self.rows.get(self.selected)
    }

    /// The newest message of a conversation as the thread pane knows it.
    pub fn latest_message_id(&self, conversation_id: i64) -> Option<i64> {
        self.thread
            .as_ref()
            .filter(|t| t.detail.row.id == conversation_id)
            .and_then(|t| t.detail.messages.iter().map(|m| m.id).max())
    }

    /// How a conversation stands against its response-time target: (waited, target).
    pub fn sla_of(&self, row: &ConversationRow) -> Option<(Millis, Millis)> {
        let since = row.waiting_since.filter(|_| row.status == Status::Open)?;
        let target = self.sla.target_for(row.network, &row.tags)?;
        Some(((self.now - since).max(0), target))
    }

    /// The thread of the selected conversation; None while another one is still shown (the
    /// selection moved and its thread is loading), so that a key never acts on the wrong one.
    pub fn current_thread(&self) -> Option<&Thread> {
        let selected = self.selected_row()?.id;
        self.thread.as_ref().filter(|t| t.detail.row.id == selected)
    }

    /// Whether keys type text (in the composer, the search prompt or a form) rather than command.
    pub fn typing(&self) -> bool {
        self.focus == Pane::Composer
            || self.search.as_ref().is_some_and(|s| s.editing)
            || self
                .replies_manager
                .as_ref()
                .is_some_and(|m| m.form.is_some())
    }

    /// The folders of the sidebar with their counts, in order.
    pub fn folder_entries(&self) -> Vec<(Folder, String, i64)> {
        let c = &self.counts;
        let mut entries = vec![
            (Folder::Open, "Open".to_string(), c.open),
            (
                Folder::Mine(self.agent.clone()),
                match c.mine_new {
                    0 => "Mine".to_string(),
                    new => format!("Mine ({new} new)"),
                },
                c.mine,
            ),
            (Folder::Unassigned, "Unassigned".to_string(), c.unassigned),
            (Folder::Snoozed, "Snoozed".to_string(), c.snoozed),
            (Folder::Closed, "Closed".to_string(), c.closed),
        ];
        if !self.sla.is_empty() {
            entries.push((Folder::Overdue, "Overdue".to_string(), c.overdue));
        }
        // Only where searches are followed (X): hits that are not mentions.
        if c.searches > 0 || self.folder == Folder::Searches {
            entries.push((Folder::Searches, "Searches".to_string(), c.searches));
        }
        entries.extend(
            c.tags
                .iter()
                .map(|(id, name, n)| (Folder::Tag(*id), format!("#{name}"), *n)),
        );
        entries.extend(
            c.accounts
                .iter()
                .map(|(id, name, n)| (Folder::Account(*id), format!("@{name}"), *n)),
        );
        entries
    }

    /// The folder's name as the header shows it.
    pub fn folder_name(&self) -> String {
        self.folder_entries()
            .into_iter()
            .find(|(folder, ..)| *folder == self.folder)
            .map_or_else(|| self.folder.label(), |(_, name, _)| name)
    }

    /// The messaging window of the conversation in the thread pane, on networks that have one
    /// (a DM on Messenger or Instagram, once the customer has written).
    pub fn reply_window(&self) -> Option<(ReplyWindow, bool)> {
        let row = &self.thread.as_ref()?.detail.row;
        if row.kind != crate::model::ConversationKind::Dm {
            return None;
        }
        let human_agent = self.accounts.get(&row.account_id)?.dm_window?;
        let last = crate::model::from_millis(row.last_inbound_at?);
        let now = crate::model::from_millis(self.now);
        Some((ReplyWindow::at(last, now, human_agent), human_agent))
    }

    /// The private-reply target for a comment of the conversation in the thread pane.
    pub fn private_target(&self, comment_id: i64) -> Option<PrivateTarget> {
        let detail = &self.thread.as_ref()?.detail;
        let max_age = self.accounts.get(&detail.row.account_id)?.private_reply?;
        let comment = detail.messages.iter().find(|m| m.id == comment_id)?;
        Some(PrivateTarget {
            message_id: comment.id,
            author: comment.author_name.clone(),
            closes_at: comment.created_at.saturating_add(max_age),
        })
    }

    /// What a reply on a conversation's account must fit, and the signature it carries.
    pub fn reply_rules(&self, account_id: i64) -> ReplyRules {
        match self.accounts.get(&account_id) {
            Some(account) => ReplyRules {
                limit: account.reply_limit,
                unit: account.reply_unit,
                signature: account
                    .signatures
                    .then(|| account.signature.clone().or_else(|| self.signature.clone()))
                    .flatten(),
            },
            None => ReplyRules {
                limit: DEFAULT_REPLY_LIMIT,
                unit: LengthUnit::Characters,
                signature: self.signature.clone(),
            },
        }
    }

    /// What `{name}`, `{handle}`… stand for in the conversation shown.
    pub fn placeholder_values(&self) -> PlaceholderValues {
        let row = self.thread.as_ref().map(|t| &t.detail.row);
        let account = row.and_then(|r| self.accounts.get(&r.account_id));
        PlaceholderValues {
            name: row.and_then(|r| r.contact_name.clone()),
            handle: row.and_then(|r| r.contact_handle.clone()),
            agent: Some(self.agent.clone()),
            account: account
                .and_then(|a| a.display_name.clone().or_else(|| Some(a.name.clone())))
                .or_else(|| row.map(|r| r.account.clone())),
            network: row.map(|r| r.network.label().to_owned()),
        }
    }

    /// The effects that fill a fresh state.
    pub fn initial_effects(&mut self) -> Vec<Effect> {
        self.loading = true;
        vec![
            Effect::LoadPage {
                folder: self.folder.clone(),
                after: PageCursor::start(self.sort),
                limit: PAGE,
                replace: true,
            },
            Effect::LoadCounts,
            Effect::LoadSavedReplies,
            Effect::LoadTags,
            Effect::LoadAgents,
        ]
    }

    fn next_page_if_needed(&mut self) -> Vec<Effect> {
        if self.search.is_some()
            || self.loading
            || !self.more
            || self.selected + PREFETCH_MARGIN < self.rows.len()
        {
            return Vec::new();
        }
        let Some(last) = self.rows.last() else {
            return Vec::new();
        };
        self.loading = true;
        vec![Effect::LoadPage {
            folder: self.folder.clone(),
            after: last.cursor_for(self.sort),
            limit: PAGE,
            replace: false,
        }]
    }

    /// `G` in a folder with more rows than loaded: load on (up to `BOTTOM_JUMP` rows) and land on
    /// the last.
    fn load_to_bottom(&mut self) -> Vec<Effect> {
        let Some(last) = self.rows.last() else {
            return Vec::new();
        };
        self.loading = true;
        self.select_last_on_load = true;
        vec![Effect::LoadPage {
            folder: self.folder.clone(),
            after: last.cursor_for(self.sort),
            limit: BOTTOM_JUMP,
            replace: false,
        }]
    }

    /// Reloads as much of the list as is loaded now (so the selection keeps its place), the
    /// counts, and the open thread.
    fn reload(&mut self) -> Vec<Effect> {
        let mut effects = vec![Effect::LoadCounts];
        match &self.search {
            Some(search) if search.results_for.is_some() => {
                effects.push(Effect::Search(
                    search.results_for.clone().unwrap_or_default(),
                ));
            }
            _ => {
                self.loading = true;
                effects.push(Effect::LoadPage {
                    folder: self.folder.clone(),
                    after: PageCursor::start(self.sort),
                    limit: self.rows.len().max(PAGE),
                    replace: true,
                });
            }
        }
        if let Some(thread) = &self.thread {
            effects.push(Effect::LoadThread(thread.detail.row.id));
        }
        if let Some(profile) = &self.profile {
            effects.push(Effect::LoadProfile(profile.contact_id));
        }
        effects
    }

    /// After the selection moved: show the selected conversation's thread.
    fn follow_selection(&mut self) -> Vec<Effect> {
        let Some(id) = self.selected_row().map(|row| row.id) else {
            self.thread = None;
            return Vec::new();
        };
        if self.thread.as_ref().is_some_and(|t| t.detail.row.id == id) {
            return Vec::new();
        }
        let mut effects = self.put_composer_away();
        effects.push(Effect::LoadThread(id));
        effects
    }

    /// Saves and closes the composer (the conversation is no longer shown, or hark is leaving).
    pub fn put_composer_away(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if let Some(mut composer) = self.composer.take() {
            if let Some(draft) = composer.take_unsaved() {
                effects.push(Effect::SaveDraft {
                    conversation_id: composer.conversation_id,
                    draft,
                });
            }
            if self.focus == Pane::Composer {
                self.focus = Pane::List;
            }
        }
        effects
    }
}

pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    let mut effects = apply(state, action);
    effects.extend(presence::follow(state));
    effects
}

fn apply(state: &mut AppState, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) => on_key(state, key),
        Action::Paste(text) => {
            match (&mut state.composer, state.focus) {
                (Some(composer), Pane::Composer) => composer.paste(&text),
                _ => {
                    if let Some(search) = state.search.as_mut().filter(|s| s.editing) {
                        search.query.push_str(&crate::text::sanitize_line(&text));
                        return vec![Effect::Search(search.query.clone())];
                    }
                }
            }
            Vec::new()
        }
        Action::StoreChanged => {
            let mut effects = state.reload();
            effects.push(Effect::LoadPresence);
            if state.standby {
                effects.push(Effect::LoadTroubles);
            }
            effects
        }
        Action::Heartbeat(now) => {
            state.now = now;
            presence::beat(state)
        }
        Action::ReportLoaded(report) => {
            if let Some(view) = state.report_view.as_mut() {
                view.report = Some(report);
            }
            Vec::new()
        }
        Action::TroublesLoaded(troubles) => {
            state.recorded_troubles = if state.standby {
                troubles.into_iter().map(|t| (t.subject, t.text)).collect()
            } else {
                BTreeMap::new()
            };
            Vec::new()
        }
        Action::PresenceLoaded(list) => {
            let me = state.agent.clone();
            state.presence = list.into_iter().filter(|p| p.agent != me).collect();
            Vec::new()
        }
        Action::TeammateReplied {
            conversation_id,
            who,
            text,
            latest_message_id,
            draft,
        } => presence::teammate_replied(
            state,
            conversation_id,
            &who,
            &text,
            latest_message_id,
            &draft,
        ),
        Action::PageLoaded {
            folder,
            rows,
            more,
            replace,
        } => on_page(state, folder, rows, more, replace),
        Action::SavedRepliesLoaded(replies) => {
            state.saved_reply_bodies = picker::lowercase_bodies(&replies);
            state.saved_replies = replies;
            Vec::new()
        }
        Action::CountsLoaded(counts) => {
            let announce = attention(state, &counts);
            state.counts = counts;
            state.counts_seen = true;
            let entries = state.folder_entries().len();
            state.folder_cursor = state.folder_cursor.min(entries.saturating_sub(1));
            announce.into_iter().collect()
        }
        Action::ThreadLoaded {
            detail,
            draft,
            notes,
        } => {
            let mut effects = on_thread(state, *detail, draft, notes);
            effects.extend(triage::follow_profile(state));
            effects
        }
        Action::TagsLoaded(tags) => {
            state.tags = tags;
            Vec::new()
        }
        Action::AgentsLoaded(agents) => {
            let mut all: std::collections::BTreeSet<String> =
                state.agents.iter().cloned().collect();
            all.extend(agents);
            state.agents = all.into_iter().collect();
            Vec::new()
        }
        Action::ProfileLoaded(data) => {
            if let Some(profile) = state
                .profile
                .as_mut()
                .filter(|p| p.contact_id == data.contact.id)
            {
                profile.data = Some(*data);
            }
            Vec::new()
        }
        Action::ContactsFound { query, contacts } => {
            if let Some(triage::Overlay::Link(picker)) = state.overlay.as_mut()
                && picker.query == query
            {
                let me = state.profile.as_ref().map(|p| p.contact_id);
                let choices = contacts
                    .into_iter()
                    .filter(|c| Some(c.id) != me)
                    .map(|c| triage::Choice {
                        label: format!(
                            "{} @{} ({})",
                            c.name.clone().unwrap_or_default(),
                            c.handle,
                            c.network.label()
                        ),
                        value: c.id.to_string(),
                        checked: false,
                    })
                    .collect();
                *picker = triage::ChoicePicker {
                    choices,
                    ..picker.clone()
                };
                picker.shown = (0..picker.choices.len()).collect();
            }
            Vec::new()
        }
        Action::FailedTakenBack {
            conversation_id,
            text,
        } => {
            if state.selected_row().map(|r| r.id) == Some(conversation_id) {
                let account_id = state.selected_row().map_or(0, |r| r.account_id);
                let rules = state.reply_rules(account_id);
                state.composer = Some(Composer::new(conversation_id, &text, rules));
                state.focus = Pane::Composer;
            }
            state.reload()
        }
        Action::Changed(notice) => {
            state.notice = Some(notice);
            let mut effects = state.reload();
            effects.push(Effect::LoadTags);
            effects
        }
        Action::SearchResults { query, rows } => {
            let Some(search) = state.search.as_mut() else {
                return Vec::new();
            };
            if search.query != query {
                return Vec::new(); // an answer to an older query
            }
            search.results_for = Some(query);
            state.rows = rows;
            state.more = false;
            state.selected = state.selected.min(state.rows.len().saturating_sub(1));
            state.follow_selection()
        }
        Action::ReplyQueued {
            conversation_id,
            closed,
            next,
        } => {
            state.notice = Some(if closed {
                format!("Reply to #{conversation_id} queued; conversation closed")
            } else {
                format!("Reply to #{conversation_id} queued")
            });
            state.pending_select = next;
            let mut effects = state.reload();
            effects.push(Effect::WakeSync);
            effects
        }
        Action::StatusChanged {
            conversation_id,
            status,
        } => {
            state.notice = Some(match status {
                Status::Closed => format!("Closed #{conversation_id}"),
                Status::Open => format!("Reopened #{conversation_id}"),
                Status::Snoozed => format!("Snoozed #{conversation_id}"),
            });
            state.reload()
        }
        Action::LikeQueued {
            conversation_id,
            liked,
        } => {
            state.notice = Some(if liked {
                format!("Liked in #{conversation_id}")
            } else {
                format!("Like taken back in #{conversation_id}")
            });
            let mut effects = state.reload();
            effects.push(Effect::WakeSync);
            effects
        }
        Action::PostUrl {
            conversation_id: _,
            url: None,
            ..
        } => {
            state.error = Some("This conversation has no public post to link to (a DM)".into());
            Vec::new()
        }
        Action::PostUrl {
            url: Some(url),
            use_,
            ..
        } => {
            let shown = crate::text::sanitize_line(&url);
            if use_ == LinkUse::Open && state.can_open_browser {
                state.notice = Some(format!("Opening {shown}"));
                vec![Effect::OpenUrl(url)]
            } else {
                // Over SSH there is no browser here: show the link, and copy it.
                state.notice = Some(format!("{shown} — copied"));
                vec![Effect::Copy(url)]
            }
        }
        Action::EditorDone {
            conversation_id,
            result,
        } => {
            match (result, state.composer.as_mut()) {
                (Ok(text), Some(composer)) if composer.conversation_id == conversation_id => {
                    composer.replace_text(&text);
                    state.focus = Pane::Composer;
                    state.notice = Some("Reply brought back from the editor".into());
                }
                (Ok(_), _) => {
                    state.error = Some("The conversation changed while the editor was open".into())
                }
                (Err(message), _) => state.error = Some(message),
            }
            Vec::new()
        }
        Action::DocsFound { query, results } => {
            if let Some(docs) = state.composer.as_mut().and_then(|c| c.docs.as_mut()) {
                docs.answered(&query, results);
            }
            Vec::new()
        }
        Action::Sync(event) => {
            let changed_store = matches!(
                event,
                SyncEvent::Fetched { .. }
                    | SyncEvent::Delivered { .. }
                    | SyncEvent::DeliveryFailed { .. }
            );
            let standby_began = !state.standby && matches!(event, SyncEvent::Standby { .. });
            apply_sync_event(state, event);
            if changed_store {
                state.reload()
            } else if standby_began {
                vec![Effect::LoadTroubles]
            } else {
                Vec::new()
            }
        }
        Action::Failed(message) => {
            state.loading = false;
            state.error = Some(message);
            Vec::new()
        }
        Action::Tick(now) => {
            state.now = now;
            // Keep the draft being written safe even if hark is killed.
            match state
                .composer
                .as_mut()
                .and_then(|c| c.take_unsaved().map(|b| (c.conversation_id, b)))
            {
                Some((conversation_id, draft)) => vec![Effect::SaveDraft {
                    conversation_id,
                    draft,
                }],
                None => Vec::new(),
            }
        }
    }
}

fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    state.error = None;
    state.notice = None;
    // Ctrl+C always quits, so that no keymap can lock a person in.
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        return commands::run(state, Command::Quit);
    }
    if state.report_view.is_some() {
        return report_view::key(state, key);
    }
    if state.replies_manager.is_some() {
        return manager::key(state, key);
    }
    if state.note.is_some() {
        return triage::note_key(state, key);
    }
    if state.overlay.is_some() {
        return triage::overlay_key(state, key);
    }
    if state.help {
        // Any command key closes the help; it does nothing else.
        state.help = false;
        return Vec::new();
    }
    if state.focus != Pane::Composer
        && !state.help
        && let Some(effects) = triage::profile_key(state, key)
    {
        return effects;
    }
    if state.focus == Pane::Composer
        && state
            .composer
            .as_ref()
            .is_some_and(|c| c.picker.is_some() || c.docs.is_some())
        && let Some(effects) = commands::picker_key(state, key)
    {
        return effects;
    }
    let typing = state.typing();
    state.pinned = true;
    let command = state.keymap.command_for(key, typing);
    // A send held back for confirmation goes only if the very next key sends again.
    if command != Some(Command::SendCloseNext) {
        state.confirm_send = false;
    }
    if let Some(command) = command {
        return commands::run(state, command);
    }
    if state.focus == Pane::Composer {
        if let Some(composer) = state.composer.as_mut() {
            composer.input(key, &state.saved_replies, &state.saved_reply_bodies);
            if let Some(query) = composer.docs.as_mut().and_then(|d| d.take_pending()) {
                return vec![Effect::SearchDocs(query)];
            }
        }
        return Vec::new();
    }
    if state.search.as_ref().is_some_and(|s| s.editing) {
        return commands::edit_search(state, key);
    }
    Vec::new()
}

fn on_page(
    state: &mut AppState,
    folder: Folder,
    rows: Vec<ConversationRow>,
    more: bool,
    replace: bool,
) -> Vec<Effect> {
    if folder != state.folder
        || state
            .search
            .as_ref()
            .is_some_and(|s| s.results_for.is_some())
    {
        return Vec::new();
    }
    state.loading = false;
    state.more = more;
    if replace {
        let current = state
            .selected_row()
            .map(|row| row.id)
            .filter(|_| state.pinned);
        let keep = state.pending_select.take().or(current);
        state.rows = rows;
        state.selected = keep
            .and_then(|id| state.rows.iter().position(|row| row.id == id))
            .unwrap_or(state.selected)
            .min(state.rows.len().saturating_sub(1));
    } else {
        state.rows.extend(rows);
        if std::mem::take(&mut state.select_last_on_load) {
            state.selected = state.rows.len().saturating_sub(1);
        }
    }
    state.follow_selection()
}

fn on_thread(
    state: &mut AppState,
    detail: ConversationDetail,
    draft: Option<crate::store::Draft>,
    notes: Vec<Note>,
) -> Vec<Effect> {
    let id = detail.row.id;
    if state.selected_row().map(|row| row.id) != Some(id) {
        return Vec::new(); // the selection moved on meanwhile
    }
    let mut effects = Vec::new();
    // Read once the person is browsing, not because it was at the top while the list filled.
    if detail.row.unread && state.pinned {
        effects.push(Effect::MarkRead(id));
        if let Some(row) = state.rows.get_mut(state.selected) {
            row.unread = false;
        }
    }
    let keep_selection = state
        .thread
        .as_ref()
        .filter(|t| t.detail.row.id == id)
        .and_then(|t| t.selected)
        .map(|i| i.min(detail.messages.len().saturating_sub(1)));
    let account_id = detail.row.account_id;
    state.thread = Some(Thread {
        detail,
        notes,
        selected: keep_selection,
    });
    // A composer opened before its thread arrived starts from what the thread shows now, so
    // that a teammate's later reply still holds the send back.
    let latest = state.latest_message_id(id);
    if let Some(composer) = state
        .composer
        .as_mut()
        .filter(|c| c.conversation_id == id && c.seen_up_to.is_none())
    {
        composer.seen_up_to = latest;
    }
    if state
        .composer
        .as_ref()
        .is_none_or(|c| c.conversation_id != id)
        && let Some(draft) = draft.filter(|d| !d.body.trim().is_empty())
    {
        let rules = state.reply_rules(account_id);
        let target = draft
            .private_to
            .and_then(|comment| state.private_target(comment));
        let mut composer = match target {
            Some(target) => Composer::new_private(id, &draft.body, rules, target),
            None => Composer::new(id, &draft.body, rules),
        };
        composer.seen_up_to = state.latest_message_id(id);
        if state.docs_enabled {
            composer.enable_docs();
        }
        state.composer = Some(composer);
        if draft.private_to.is_some()
            && state.composer.as_ref().is_some_and(|c| c.private.is_none())
        {
            // The comment is gone: never let a private answer go out publicly unnoticed.
            state.error = Some(
                "This draft was a private reply to a comment that is no longer here: check it before sending".into(),
            );
        }
    }
    effects
}

/// A call for attention when new conversations came in or someone assigned one to this person
/// since the last counts (when `[notify]` asks for one).
fn attention(state: &AppState, counts: &FolderCounts) -> Option<Effect> {
    if !state.counts_seen || !(state.notify.bell || state.notify.desktop) {
        return None;
    }
    let assigned = counts.mine_new - state.counts.mine_new;
    let text = if assigned > 0 {
        format!(
            "{assigned} conversation{} assigned to you",
            if assigned == 1 { "" } else { "s" }
        )
    } else if counts.newest_id > state.counts.newest_id {
        "New conversations in the inbox".to_owned()
    } else {
        return None;
    };
    Some(Effect::Notify(text))
}

/// A failure for the status bar: `(retrying, given_up)` names it, with when the next try is.
fn retry_text(
    (retrying, given_up): (&str, &str),
    message: &str,
    retry_in: Option<std::time::Duration>,
) -> String {
    match retry_in {
        Some(wait) => format!("{retrying}: {message}; retry in {}s", wait.as_secs()),
        None => format!("{given_up}: {message}"),
    }
}

fn apply_sync_event(state: &mut AppState, event: SyncEvent) {
    let (account, text) = match event {
        SyncEvent::Started { account } => {
            // This process syncs (again): its own events say what goes wrong.
            state.standby = false;
            state.recorded_troubles.clear();
            state.sync_status.remove("sync");
            (account, "syncing…".to_string())
        }
        SyncEvent::Standby { holder } => {
            state.standby = true;
            (
                "sync".to_string(),
                format!("done by another hark ({holder})"),
            )
        }
        SyncEvent::Fetched {
            account, report, ..
        } => (account, format!("{} new", report.new_messages)),
        SyncEvent::Finished { account, .. } => (account, "up to date".to_string()),
        SyncEvent::Failed {
            account,
            message,
            retry_in,
        } => (account, retry_text(("error", "error"), &message, retry_in)),
        SyncEvent::Delivered {
            account, action, ..
        } => (account, format!("{action} sent")),
        SyncEvent::DeliveryFailed {
            account,
            message,
            retry_in,
            ..
        } => (
            account,
            retry_text(("send failed", "send failed"), &message, retry_in),
        ),
        SyncEvent::Notified { channel } => {
            // A channel that works again stops showing its last error.
            state.sync_status.remove(&channel);
            return;
        }
        SyncEvent::NotificationFailed {
            channel,
            message,
            retry_in,
        } => (
            channel,
            retry_text(("not delivered", "failed"), &message, retry_in),
        ),
    };
    state.sync_status.insert(account, text);
}

#[cfg(test)]
mod tests;
