//! The inbox's event loop: one `select!` over terminal events, results of database work, sync
//! progress and a slow tick. It turns the app's effects into work on a store thread of its own
//! (the UI never waits on a query or the network) and redraws only when something changed.

pub mod docs;
pub mod editor;
mod effects;
pub mod harness;
mod input;
pub mod links;
mod terminal;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc, watch};

pub use effects::execute;

use self::terminal::TerminalSession;
use crate::app::keymap::Keymap;
use crate::app::{AccountInfo, Action, AppState, Effect, update};
use crate::cli::Context;
use crate::cli::exit::Code;
use crate::clock::SharedClock;
use crate::store::Store;
use crate::sync::{StoreCell, SyncEngine, SyncEvent};

/// How often other processes' changes to the database are looked for.
const CHANGE_POLL: Duration = Duration::from_millis(500);
/// How often the inbox tells teammates it is still there (well within `PRESENCE_TTL`).
const PRESENCE_BEAT: Duration = Duration::from_secs(15);

pub async fn run_inbox(context: Context) -> anyhow::Result<Code> {
    // The database is opened before the terminal is taken, so an error reads as plain text.
    let store = context.open_store()?;
    let keymap = Keymap::with_overrides(&context.config.keys)
        .map_err(|err| anyhow::anyhow!("config: {err}"))?;
    let accounts = account_infos(&context, &store)?;
    let role = store.role_of(&context.login)?;
    let (actions_tx, mut actions) = mpsc::unbounded_channel::<Action>();
    let docs = context.config.helpscout.as_ref().and_then(|config| {
        docs::DocsSearcher::new(
            config.get_ref(),
            context.db_path.clone(),
            Arc::clone(&context.clock),
        )
        .map(Arc::new)
    });
    let docs_answers = actions_tx.clone();
    let store_thread = StoreThread::spawn(
        store,
        context.agent.clone(),
        Arc::clone(&context.clock),
        actions_tx,
    );

    let (sync_tx, mut sync_events) = mpsc::unbounded_channel();
    let engine = Arc::new(
        SyncEngine::new(
            StoreCell::new(context.db_path.clone()),
            Arc::clone(&context.clock),
            sync_tx,
        )
        .with_rules(context.config.rule_set.clone())
        .with_integrations(crate::integrations::Integrations::from_config(
            &context.config,
        )),
    );
    let (stop, shutdown) = watch::channel(false);
    let wake = Arc::new(Notify::new());
    let sync_task = tokio::spawn(Arc::clone(&engine).run(
        context.accounts.clone(),
        Arc::clone(&wake),
        shutdown,
    ));

    let mut state = AppState::new(
        context.agent.clone(),
        keymap,
        accounts,
        context.clock.now_millis(),
    );
    state.role = role;
    state.docs_enabled = docs.is_some();
    state.can_open_browser = links::can_open_browser(&|name| std::env::var(name).ok());
    state.notify = context.config.notify;
    state.hyperlinks = context.config.theme.hyperlinks
        && !matches!(std::env::var("TERM").as_deref(), Ok("dumb" | "linux"));
    state.theme = context
        .config
        .theme
        .theme(&|name| std::env::var(name).ok())
        .unwrap_or_default();
    state.sla = context.config.sla.targets().unwrap_or_default();
    state.report_settings = crate::app::report_view::ReportSettings {
        utc_offset_minutes: context
            .config
            .reports
            .utc_offset_minutes(context.clock.now_millis()),
        hours: context.config.reports.hours().unwrap_or_default(),
    };
    let result = match TerminalSession::start() {
        Ok(mut session) => {
            let loop_parts = LoopParts {
                store: &store_thread,
                wake: &wake,
                clock: &context.clock,
                notify: context.config.notify,
                docs: docs.as_ref().map(|docs| (docs, &docs_answers)),
            };
            let result = event_loop(
                &mut session,
                &mut state,
                &context,
                loop_parts,
                &mut actions,
                &mut sync_events,
            )
            .await;
            drop(session);
            result
        }
        Err(err) => Err(anyhow::anyhow!("could not take over the terminal: {err}")),
    };

    // Whatever was being written is kept as a draft, and teammates stop seeing this inbox.
    for effect in state.put_composer_away() {
        store_thread.send(effect);
    }
    store_thread.send(Effect::SetPresence(None));
    store_thread.finish();
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(3), sync_task).await;
    result.map(|()| Code::Ok)
}

/// What the inbox needs to know of each account it can reply on: from the connected network,
/// or, for an account this process cannot connect (a teammate's inbox without the tokens), from
/// what the process that did connect it recorded.
fn account_infos(context: &Context, store: &Store) -> anyhow::Result<BTreeMap<i64, AccountInfo>> {
    let mut infos = BTreeMap::new();
    for stored in store.accounts()? {
        let connected = context.account(stored.id);
        let capabilities = match connected {
            Some(account) => account.network.capabilities(),
            None => match store.account_capabilities(stored.id)? {
                Some(recorded) => recorded,
                None => continue,
            },
        };
        let configured = context.config.accounts().find(|a| a.name == stored.name);
        infos.insert(
            stored.id,
            AccountInfo {
                name: stored.name.clone(),
                display_name: stored.display_name.clone(),
                network: stored.network,
                reply_limit: capabilities.reply_limit,
                reply_unit: capabilities.reply_unit,
                signatures: capabilities.signatures,
                can_hide: capabilities.hide,
                dm_window: capabilities.dm_window,
                private_reply: capabilities
                    .private_reply
                    .map(|window| i64::try_from(window.as_millis()).unwrap_or(i64::MAX)),
                signature: configured.and_then(|a| a.signature.clone()),
            },
        );
    }
    Ok(infos)
}

struct LoopParts<'a> {
    store: &'a StoreThread,
    wake: &'a Notify,
    clock: &'a SharedClock,
    notify: crate::config::NotifyConfig,
    /// Help Scout Docs, when set up, and where its answers go.
    docs: Option<(
        &'a Arc<docs::DocsSearcher>,
        &'a mpsc::UnboundedSender<Action>,
    )>,
}

async fn event_loop(
    session: &mut TerminalSession,
    state: &mut AppState,
    context: &Context,
    parts: LoopParts<'_>,
    actions: &mut mpsc::UnboundedReceiver<Action>,
    sync_events: &mut mpsc::UnboundedReceiver<SyncEvent>,
) -> anyhow::Result<()> {
    // The first frame comes before anything slow: the keyboard question and the first query.
    session
        .terminal
        .draw(|frame| crate::ui::draw(frame, state))?;
    session.enable_keyboard_protocol(context.config.keyboard_protocol);
    state.keymap.enhanced_keys = session.enhanced_keys;
    let effects = state.initial_effects();
    run_effects(&parts, effects);

    let mut terminal_events = input::Input::start();
    let mut poll = tokio::time::interval(CHANGE_POLL);
    let mut heartbeat = tokio::time::interval(PRESENCE_BEAT);
    // SIGTERM (a shutdown, `kill`) leaves like q does: drafts kept, terminal restored.
    let terminate = async {
        if crate::cli::commands_stopped().await.is_err() {
            // Without signals there is nothing to wait for.
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(terminate);
    let mut dirty = true;
    loop {
        if dirty {
            session
                .terminal
                .draw(|frame| crate::ui::draw(frame, state))?;
            dirty = false;
        }
        let action = tokio::select! {
            event = terminal_events.next() => match event {
                Some(Ok(crossterm::event::Event::Key(key))) => {
                    tracing::debug!(?key, "key");
                    Some(Action::Key(key))
                }
                Some(Ok(crossterm::event::Event::Paste(text))) => Some(Action::Paste(text)),
                Some(Ok(crossterm::event::Event::Resize(..))) => {
                    dirty = true;
                    None
                }
                Some(Ok(_)) => None,
                Some(Err(err)) => return Err(err.into()),
                None => return Ok(()),
            },
            Some(action) = actions.recv() => Some(action),
            Some(event) = sync_events.recv() => Some(Action::Sync(event)),
            _ = &mut terminate => {
                tracing::info!("terminated: leaving the inbox");
                Some(Action::Key(crossterm::event::KeyEvent::new(
                    crossterm::event::KeyCode::Char('c'),
                    crossterm::event::KeyModifiers::CONTROL,
                )))
            }
            _ = heartbeat.tick() => Some(Action::Heartbeat(parts.clock.now_millis())),
            _ = poll.tick() => {
                parts.store.check_for_changes();
                let now = parts.clock.now_millis();
                // Ages in the list move on in minutes, so redraw only when the minute turns.
                (now / 60_000 != state.now / 60_000).then_some(Action::Tick(now))
            }
        };
        if let Some(action) = action {
            let mut effects = update(state, action);
            // The editor takes the terminal: the key reader stops meanwhile, or it would take
            // the editor's keys.
            while let Some(at) = effects
                .iter()
                .position(|e| matches!(e, Effect::OpenEditor { .. }))
            {
                let Effect::OpenEditor {
                    conversation_id,
                    text,
                } = effects.remove(at)
                else {
                    continue;
                };
                run_effects(&parts, std::mem::take(&mut effects));
                terminal_events.pause();
                let editor = editor::editor_command();
                let result = session
                    .handed_over(|| editor::edit(&editor, &text))
                    .unwrap_or_else(|err| Err(format!("could not take the terminal back: {err}")));
                terminal_events.resume();
                effects = update(
                    state,
                    Action::EditorDone {
                        conversation_id,
                        result,
                    },
                );
            }
            run_effects(&parts, effects);
            dirty = true;
        }
        if state.quit {
            return Ok(());
        }
    }
}

fn run_effects(parts: &LoopParts<'_>, effects: Vec<Effect>) {
    for effect in effects {
        if effect == Effect::WakeSync {
            parts.wake.notify_one();
        } else if let Effect::OpenUrl(url) = &effect {
            links::open(url);
        } else if let Effect::Copy(text) = &effect {
            links::copy(text);
        } else if let Effect::Notify(text) = &effect {
            links::call_attention(text, parts.notify.bell, parts.notify.desktop);
        } else if let Effect::SearchDocs(query) = effect {
            if let Some((docs, answers)) = parts.docs {
                docs.start(query, answers.clone());
            }
        } else {
            parts.store.send(effect);
        }
    }
}

/// The UI's own database connection lives on this thread; effects run in order and answer
/// with actions. It also watches `PRAGMA data_version` for other connections' commits.
struct StoreThread {
    jobs: std::sync::mpsc::Sender<Job>,
    handle: Option<std::thread::JoinHandle<()>>,
}

enum Job {
    Effect(Effect),
    CheckForChanges,
}

impl StoreThread {
    fn spawn(
        mut store: Store,
        agent: String,
        clock: SharedClock,
        actions: mpsc::UnboundedSender<Action>,
    ) -> StoreThread {
        let (jobs, receiver) = std::sync::mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("hark-store".into())
            .spawn(move || {
                let mut last_version = store.data_version().ok();
                while let Ok(job) = receiver.recv() {
                    let answers = match job {
                        Job::Effect(effect) => {
                            execute(&mut store, &agent, clock.now_millis(), effect)
                        }
                        Job::CheckForChanges => match store.data_version() {
                            Ok(version) if Some(version) != last_version => {
                                last_version = Some(version);
                                vec![Action::StoreChanged]
                            }
                            Ok(_) => Vec::new(),
                            Err(err) => vec![Action::Failed(err.to_string())],
                        },
                    };
                    for action in answers {
                        if actions.send(action).is_err() {
                            return;
                        }
                    }
                }
            });
        let handle = match spawned {
            Ok(handle) => Some(handle),
            Err(err) => {
                tracing::error!(%err, "could not start the store thread");
                None
            }
        };
        StoreThread { jobs, handle }
    }

    /// Waits for the work already sent (a draft being saved) to be done.
    fn finish(self) {
        let StoreThread { jobs, handle } = self;
        drop(jobs);
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }

    fn send(&self, effect: Effect) {
        let _ = self.jobs.send(Job::Effect(effect));
    }

    fn check_for_changes(&self) {
        let _ = self.jobs.send(Job::CheckForChanges);
    }
}
