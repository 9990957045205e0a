//! The inbox's event loop: one `select!` over terminal events, results of database work, sync
//! progress and a slow tick. It turns the app's effects into work on a store thread of its own
//! (the UI never waits on a query or the network) and redraws only when something changed.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::{Notify, mpsc, watch};

use crate::app::keymap::Keymap;
use crate::app::{Action, AppState, Effect, update};
use crate::cli::Context;
use crate::cli::exit::Code;
use crate::model::Folder;
use crate::store::{PageCursor, Store};
use crate::sync::{StoreCell, SyncEngine};

/// How often other processes' changes to the database are looked for.
const CHANGE_POLL: Duration = Duration::from_millis(500);

/// A piece of database work for the store thread; it answers with the action to apply.
type Job = Box<dyn FnOnce(&mut Store) -> Action + Send>;

pub async fn run_inbox(context: Context) -> anyhow::Result<Code> {
    // The database is opened before the terminal is taken, so an error reads as plain text.
    let store = context.open_store()?;
    let (actions_tx, mut actions) = mpsc::unbounded_channel::<Action>();
    let jobs = spawn_store_thread(store, actions_tx.clone());

    let (sync_tx, mut sync_events) = mpsc::unbounded_channel();
    let engine = Arc::new(SyncEngine::new(
        StoreCell::new(context.db_path.clone()),
        Arc::clone(&context.clock),
        sync_tx,
    ));
    let (stop, shutdown) = watch::channel(false);
    let wake = Arc::new(Notify::new());
    let sync_task = tokio::spawn(Arc::clone(&engine).run(
        context.accounts.clone(),
        Arc::clone(&wake),
        shutdown,
    ));

    let mut terminal = ratatui::init();
    let result = event_loop(
        &mut terminal,
        &context,
        &jobs,
        &mut actions,
        &mut sync_events,
    )
    .await;
    ratatui::restore();

    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(3), sync_task).await;
    result.map(|()| Code::Ok)
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    context: &Context,
    jobs: &std::sync::mpsc::Sender<Job>,
    actions: &mut mpsc::UnboundedReceiver<Action>,
    sync_events: &mut mpsc::UnboundedReceiver<crate::sync::SyncEvent>,
) -> anyhow::Result<()> {
    let keymap = Keymap::default();
    let mut state = AppState::new(context.agent.clone(), context.clock.now_millis());
    let effects = state.initial_effects();
    run_effects(jobs, &state, effects);
    let mut terminal_events = crossterm::event::EventStream::new();
    let mut poll = tokio::time::interval(CHANGE_POLL);
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|frame| crate::ui::draw(frame, &state, &keymap))?;
            dirty = false;
        }
        let action = tokio::select! {
            event = terminal_events.next() => match event {
                Some(Ok(crossterm::event::Event::Key(key))) => {
                    tracing::debug!(?key, "key");
                    keymap.action_for(key)
                }
                Some(Ok(crossterm::event::Event::Resize(..))) => {
                    dirty = true;
                    None
                }
                Some(Ok(_)) => None,
                Some(Err(err)) => return Err(err.into()),
                None => Some(Action::Quit),
            },
            Some(action) = actions.recv() => Some(action),
            Some(event) = sync_events.recv() => Some(Action::Sync(event)),
            _ = poll.tick() => {
                let _ = jobs.send(Box::new(check_for_changes()));
                let now = context.clock.now_millis();
                // Ages in the list move on in minutes, so redraw only when the minute turns.
                (now / 60_000 != state.now / 60_000).then_some(Action::Tick(now))
            }
        };
        if let Some(action) = action {
            let before = state.clone();
            let effects = update(&mut state, action);
            run_effects(jobs, &state, effects);
            dirty |= state != before;
        }
        if state.quit {
            return Ok(());
        }
    }
}

/// A job that answers `StoreChanged` when another connection has committed since last asked.
fn check_for_changes() -> impl FnOnce(&mut Store) -> Action + Send {
    move |store: &mut Store| match store.data_version() {
        Ok(version) if store_version_changed(version) => Action::StoreChanged,
        Ok(_) => Action::Tick(crate::model::to_millis(chrono::Utc::now())),
        Err(err) => Action::Failed(err.to_string()),
    }
}

thread_local! {
    static LAST_VERSION: std::cell::Cell<Option<i64>> = const { std::cell::Cell::new(None) };
}

/// Remembers the data version on the store thread (the only thread that asks).
fn store_version_changed(version: i64) -> bool {
    LAST_VERSION.with(|last| {
        let changed = last.get().is_some_and(|previous| previous != version);
        last.set(Some(version));
        changed
    })
}

fn run_effects(jobs: &std::sync::mpsc::Sender<Job>, state: &AppState, effects: Vec<Effect>) {
    for effect in effects {
        let job: Job = match effect {
            Effect::LoadPage {
                folder,
                after,
                limit,
                replace,
            } => Box::new(move |store: &mut Store| load_page(store, folder, after, limit, replace)),
            Effect::LoadCounts => {
                let agent = state.agent.clone();
                Box::new(move |store: &mut Store| match store.folder_counts(&agent) {
                    Ok(counts) => Action::CountsLoaded(counts),
                    Err(err) => Action::Failed(err.to_string()),
                })
            }
        };
        let _ = jobs.send(job);
    }
}

fn load_page(
    store: &mut Store,
    folder: Folder,
    after: PageCursor,
    limit: usize,
    replace: bool,
) -> Action {
    match store.folder_page(&folder, after, limit + 1) {
        Ok(mut rows) => {
            let more = rows.len() > limit;
            rows.truncate(limit);
            Action::PageLoaded {
                folder,
                rows,
                more,
                replace,
            }
        }
        Err(err) => Action::Failed(err.to_string()),
    }
}

/// The UI's own connection lives on this thread; jobs run in order and answer with actions.
fn spawn_store_thread(
    mut store: Store,
    actions: mpsc::UnboundedSender<Action>,
) -> std::sync::mpsc::Sender<Job> {
    let (sender, receiver) = std::sync::mpsc::channel::<Job>();
    thread::Builder::new()
        .name("hark-store".into())
        .spawn(move || {
            while let Ok(job) = receiver.recv() {
                let action = job(&mut store);
                // Tick answers from change checks carry nothing new; skip them.
                if matches!(action, Action::Tick(_)) {
                    continue;
                }
                if actions.send(action).is_err() {
                    return;
                }
            }
        })
        .map(|_| ())
        .unwrap_or_else(|err| tracing::error!(%err, "could not start the store thread"));
    sender
}
