//! One function per command.

use std::sync::Arc;

use anyhow::Context as _;
use tokio::sync::{Notify, mpsc, watch};

use super::context::{Context, DEMO_ACCOUNT};
use super::exit::{Code, NotFoundError, UsageError};
use super::{AccountsCommand, Command, ConversationsCommand, json, output};
use crate::model::{Delivery, Folder, Status};
use crate::store::{PageCursor, Store};
use crate::sync::{StoreCell, SyncAccount, SyncEngine, SyncEvent};

pub async fn dispatch(context: Context, command: Command) -> anyhow::Result<Code> {
    match command {
        Command::Inbox => crate::runtime::run_inbox(context).await,
        Command::Sync { once, daemon } => sync(&context, once, daemon).await,
        Command::Accounts(AccountsCommand::Add(args)) => {
            super::accounts::add(
                context.config_path.clone(),
                Some(context.db_path.clone()),
                *args,
            )
            .await
        }
        Command::Accounts(AccountsCommand::List { json }) => {
            seed_demo_if_new(&context).await?;
            accounts_list(&context, json)
        }
        Command::Conversations(ConversationsCommand::List {
            folder,
            limit,
            after,
            json,
        }) => {
            seed_demo_if_new(&context).await?;
            conversations_list(&context, &folder, limit, after.as_deref(), json)
        }
        Command::Conversations(ConversationsCommand::Show { id, json }) => {
            seed_demo_if_new(&context).await?;
            conversations_show(&context, id, json)
        }
        Command::Reply {
            id,
            text,
            close,
            private,
            comment,
            queue_only,
            json,
        } => {
            seed_demo_if_new(&context).await?;
            let how = ReplyHow {
                close,
                private: private.then_some(comment),
                queue_only,
                as_json: json,
            };
            reply(&context, id, &text, how).await
        }
        Command::Close { id } => {
            seed_demo_if_new(&context).await?;
            set_status(&context, id, Status::Closed)
        }
        Command::Reopen { id } => {
            seed_demo_if_new(&context).await?;
            set_status(&context, id, Status::Open)
        }
        Command::Like {
            id,
            message,
            undo,
            queue_only,
        } => {
            seed_demo_if_new(&context).await?;
            like(&context, id, message, !undo, queue_only).await
        }
        Command::Replies(command) => super::replies::run(&context, command),
        Command::Tags(command) => super::tags::run(&context, command),
        Command::Rules(command) => {
            seed_demo_if_new(&context).await?;
            super::rules::run(&context, command)
        }
        Command::Version { json } => version(json),
        // Answered before any config or database is read.
        Command::Completions { shell } => super::manual::completions(shell),
        Command::Man { dir } => super::manual::man(dir.as_deref()),
        Command::Doctor => super::doctor::run(&context).await,
        Command::Export(args) => {
            seed_demo_if_new(&context).await?;
            super::export::run(&context, &args)
        }
        Command::People(command) => super::people::run(&context, command),
        Command::Report(args) => {
            seed_demo_if_new(&context).await?;
            super::report::run(&context, args)
        }
    }
}

pub fn version(json: bool) -> anyhow::Result<Code> {
    let version = env!("CARGO_PKG_VERSION");
    let schema_version = crate::store::latest_schema_version();
    if json {
        print_json(&json::Version {
            format: json::FORMAT_VERSION,
            version,
            schema_version,
        })?;
    } else {
        outln!("hark {version} (database schema {schema_version})")?;
    }
    Ok(Code::Ok)
}

fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(value)?)?;
    Ok(())
}

fn engine(context: &Context) -> (Arc<SyncEngine>, mpsc::UnboundedReceiver<SyncEvent>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let engine = SyncEngine::new(
        StoreCell::new(context.db_path.clone()),
        Arc::clone(&context.clock),
        sender,
    )
    .with_rules(context.config.rule_set.clone())
    .with_integrations(crate::integrations::Integrations::from_config(
        &context.config,
    ));
    (Arc::new(engine), receiver)
}

/// With `--demo`, the demo account's conversations are fetched the first time a database is
/// used, so that every command has something to show.
async fn seed_demo_if_new(context: &Context) -> anyhow::Result<()> {
    if !context.demo {
        return Ok(());
    }
    let Some(account) = context.accounts.iter().find(|a| a.name == DEMO_ACCOUNT) else {
        return Ok(());
    };
    let store = context.open_store()?;
    let seeded = account
        .network
        .streams()
        .iter()
        .all(|stream| matches!(store.sync_cursor(account.account_id, stream), Ok(Some(_))));
    if !seeded {
        let (engine, _events) = engine(context);
        engine
            .sync_once(account)
            .await
            .context("could not load the demo conversations")?;
    }
    Ok(())
}

fn describe(event: &SyncEvent) -> Option<String> {
    Some(match event {
        SyncEvent::Started { account } => format!("{account}: syncing…"),
        SyncEvent::Standby { holder } => {
            format!("another hark ({holder}) syncs this database; waiting to take over")
        }
        SyncEvent::Fetched {
            account,
            stream,
            report,
        } => {
            let mut text = format!(
                "{account}: {stream}: {} new message{}",
                report.new_messages,
                plural(report.new_messages)
            );
            if report.new_conversations > 0 {
                text += &format!(
                    ", {} new conversation{}",
                    report.new_conversations,
                    plural(report.new_conversations)
                );
            }
            if !report.reopened.is_empty() {
                text += &format!(", {} reopened", report.reopened.len());
            }
            text
        }
        SyncEvent::Finished {
            account,
            new_messages,
            ..
        } => format!("{account}: up to date ({new_messages} new)"),
        SyncEvent::Failed {
            account,
            message,
            retry_in,
        } => match retry_in {
            Some(wait) => format!("{account}: {message} (retrying in {}s)", wait.as_secs()),
            None => format!("{account}: {message} (not retrying: fix the account and restart)"),
        },
        SyncEvent::Delivered {
            account,
            outbox_id,
            action,
        } => format!("{account}: delivered {action} (outbox {outbox_id})"),
        SyncEvent::DeliveryFailed {
            account,
            outbox_id,
            message,
            retry_in,
        } => match retry_in {
            Some(wait) => format!(
                "{account}: outbox {outbox_id} not delivered: {message} (retrying in {}s)",
                wait.as_secs()
            ),
            None => format!("{account}: outbox {outbox_id} failed: {message}"),
        },
        SyncEvent::Notified { channel } => format!("{channel}: notified"),
        SyncEvent::NotificationFailed {
            channel,
            message,
            retry_in,
        } => match retry_in {
            Some(wait) => format!(
                "{channel}: not delivered: {message} (retrying in {}s)",
                wait.as_secs()
            ),
            None => format!("{channel}: failed: {message}"),
        },
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

async fn sync(context: &Context, once: bool, daemon: bool) -> anyhow::Result<Code> {
    for warning in &context.warnings {
        eprintln!("warning: {warning}");
    }
    for (name, reason) in &context.account_errors {
        eprintln!(
            "{name}: not syncing: {}",
            crate::text::sanitize_line(reason)
        );
    }
    if context.accounts.is_empty() && !context.account_errors.is_empty() {
        anyhow::bail!("no account could be connected (see above)");
    }
    if context.accounts.is_empty() {
        anyhow::bail!(
            "no accounts to sync: add one to the config file (see config.example.toml) or try --demo"
        );
    }
    let (engine, mut events) = engine(context);
    let printer = tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let problem = matches!(
                event,
                SyncEvent::Failed { .. }
                    | SyncEvent::DeliveryFailed { .. }
                    | SyncEvent::NotificationFailed { .. }
                    | SyncEvent::Standby { .. }
            );
            if daemon && !problem {
                tracing::info!(?event, "sync");
                continue;
            }
            if let Some(line) = describe(&event)
                && outln!("{}", crate::text::sanitize_line(&line)).is_err()
            {
                // The reader is gone (a closed pipe): the sync goes on without printing.
                break;
            }
        }
    });
    let mut failed = false;
    if once {
        let other = engine.try_lease().await?;
        if let Some(holder) = &other {
            outln!("another hark ({holder}) syncs this database: delivering the outbox only")?;
        }
        for account in &context.accounts {
            let result = match other {
                Some(_) => engine.deliver_due(account).await,
                None => engine.sync_once(account).await,
            };
            if let Err(err) = result {
                failed = true;
                eprintln!("{}: {err}", account.name);
            }
        }
        if other.is_none() {
            if let Err(err) = engine.notify_once().await {
                failed = true;
                eprintln!("notifications: {err}");
            }
            engine.release_lease().await?;
        }
    } else {
        let (stop, shutdown) = watch::channel(false);
        let run = tokio::spawn(Arc::clone(&engine).run(
            context.accounts.clone(),
            Arc::new(Notify::new()),
            shutdown,
        ));
        stopped().await?;
        if daemon {
            eprintln!("stopping: finishing the delivery under way");
        }
        let _ = stop.send(true);
        let _ = run.await;
    }
    drop(engine);
    let _ = printer.await;
    Ok(if failed { Code::Error } else { Code::Ok })
}

fn accounts_list(context: &Context, as_json: bool) -> anyhow::Result<Code> {
    let store = context.open_store()?;
    let counts = store.folder_counts(&context.agent)?;
    let mut accounts = Vec::new();
    for account in store.accounts()? {
        let syncing = context.account(account.id).is_some();
        let cursor = context
            .account(account.id)
            .and_then(|a| a.network.streams().first().copied())
            .map(|stream| store.sync_cursor(account.id, stream))
            .transpose()?
            .flatten();
        let open = counts
            .accounts
            .iter()
            .find(|(id, ..)| *id == account.id)
            .map_or(0, |(_, _, n)| *n);
        accounts.push(json::Account {
            name: account.name,
            network: account.network.as_str(),
            handle: account.handle,
            display_name: account.display_name,
            syncing,
            credentials: account.credentials_ref,
            open_conversations: open,
            last_synced_at: json::account_time(cursor.as_ref().and_then(|c| c.last_ok_at)),
            last_error: cursor.and_then(|c| c.last_error),
        });
    }
    if as_json {
        print_json(&json::AccountList {
            format: json::FORMAT_VERSION,
            accounts,
        })?;
        return Ok(Code::Ok);
    }
    if accounts.is_empty() {
        outln!(
            "No accounts yet. Add one to the config file (see config.example.toml), or try `hark --demo`."
        )?;
    }
    for account in accounts {
        let unconnected = context
            .account_errors
            .iter()
            .find(|(name, _)| *name == account.name);
        let state = match (
            &account.last_error,
            &account.last_synced_at,
            account.syncing,
        ) {
            (_, _, false) if unconnected.is_some() => {
                format!(
                    "not connected: {}",
                    unconnected.map_or("", |(_, reason)| reason.as_str())
                )
            }
            (_, _, false) => "not in the config: cache kept, not syncing".to_string(),
            (Some(error), ..) => format!("error: {error}"),
            (None, Some(at), _) => format!("synced {at}"),
            (None, None, _) => "never synced".to_string(),
        };
        outln!(
            "{}  {}  {}  {} open  {}",
            crate::text::fit(&account.name, 16),
            crate::text::fit(account.network, 8),
            crate::text::fit(&crate::text::sanitize_line(&account.handle), 24),
            account.open_conversations,
            crate::text::sanitize_line(&state),
        )?;
    }
    Ok(Code::Ok)
}

/// Reads a folder name as typed on the command line.
pub(super) fn parse_folder(store: &Store, text: &str, agent: &str) -> anyhow::Result<Folder> {
    let folder = match text {
        "open" => Folder::Open,
        "mine" => Folder::Mine(agent.to_owned()),
        "unassigned" => Folder::Unassigned,
        "snoozed" => Folder::Snoozed,
        "closed" => Folder::Closed,
        "searches" => Folder::Searches,
        "overdue" => Folder::Overdue,
        other => match other.split_once(':') {
            Some(("tag", name)) => Folder::Tag(
                store
                    .tag_id(name)?
                    .ok_or_else(|| NotFoundError(format!("no tag named '{name}'")))?,
            ),
            Some(("account", name)) => Folder::Account(
                store
                    .account_by_name(name)?
                    .ok_or_else(|| NotFoundError(format!("no account named '{name}'")))?
                    .id,
            ),
            _ => {
                return Err(UsageError(format!(
                    "unknown folder '{other}': use open, mine, unassigned, snoozed, closed, searches, overdue, tag:NAME or account:NAME"
                ))
                .into());
            }
        },
    };
    Ok(folder)
}

fn parse_cursor(text: &str) -> anyhow::Result<PageCursor> {
    let parsed = text.split_once(':').and_then(|(at, id)| {
        Some(PageCursor {
            last_message_at: at.parse().ok()?,
            id: id.parse().ok()?,
            ..PageCursor::START
        })
    });
    parsed.ok_or_else(|| {
        UsageError(format!(
            "'{text}' is not a cursor; pass the next_cursor value a previous page printed"
        ))
        .into()
    })
}

fn conversations_list(
    context: &Context,
    folder_name: &str,
    limit: usize,
    after: Option<&str>,
    as_json: bool,
) -> anyhow::Result<Code> {
    let store = context.open_store()?;
    let folder = parse_folder(&store, folder_name, &context.agent)?;
    let after = after
        .map(parse_cursor)
        .transpose()?
        .unwrap_or(PageCursor::START);
    let limit = limit.max(1);
    // One more than asked tells whether another page follows.
    let mut rows = store.folder_page(&folder, after, limit + 1)?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = more
        .then(|| rows.last().map(|row| row.cursor()))
        .flatten()
        .map(|c| format!("{}:{}", c.last_message_at, c.id));
    if as_json {
        print_json(&json::ConversationList {
            format: json::FORMAT_VERSION,
            folder: folder_name.to_owned(),
            conversations: rows.iter().map(json::Conversation::from).collect(),
            next_cursor,
        })?;
    } else {
        out!(
            "{}",
            output::conversation_table(&rows, context.clock.now_millis())
        )?;
        if let Some(cursor) = next_cursor {
            eprintln!("(more: --after {cursor})");
        }
    }
    Ok(Code::Ok)
}

fn conversations_show(context: &Context, id: i64, as_json: bool) -> anyhow::Result<Code> {
    let store = context.open_store()?;
    let detail = store.conversation(id)?;
    if as_json {
        print_json(&json::ConversationShow::from(&detail))?;
    } else {
        out!("{}", output::conversation_detail(&detail))?;
    }
    Ok(Code::Ok)
}

fn set_status(context: &Context, id: i64, status: Status) -> anyhow::Result<Code> {
    let mut store = context.open_store()?;
    let changed = store.set_status(id, status, &context.agent, context.clock.now_millis())?;
    let verb = if status == Status::Closed {
        "closed"
    } else {
        "open"
    };
    if changed {
        outln!("#{id} is now {verb}")?;
    } else {
        outln!("#{id} was already {verb}")?;
    }
    Ok(Code::Ok)
}

/// The account a conversation belongs to, when this process can reach its network.
fn connected_account<'a>(
    context: &'a Context,
    store: &Store,
    id: i64,
) -> anyhow::Result<Option<&'a SyncAccount>> {
    let row = store
        .conversation_row(id)?
        .ok_or_else(|| NotFoundError(format!("no conversation with id {id}")))?;
    Ok(context.account(row.account_id))
}

/// How `hark reply` sends.
struct ReplyHow {
    close: bool,
    /// Some(the comment, or None for the latest) for a private reply.
    private: Option<Option<i64>>,
    queue_only: bool,
    as_json: bool,
}

async fn reply(context: &Context, id: i64, text: &str, how: ReplyHow) -> anyhow::Result<Code> {
    let ReplyHow {
        close,
        private,
        queue_only,
        as_json,
    } = how;
    let mut store = context.open_store()?;
    let account = connected_account(context, &store, id)?;
    let row = store
        .conversation_row(id)?
        .ok_or_else(|| NotFoundError(format!("no conversation with id {id}")))?;
    // This process's connection, or what the syncing process recorded (a teammate's hark
    // without the tokens).
    let capabilities = match account {
        Some(account) => Some(account.network.capabilities()),
        None => store.account_capabilities(row.account_id)?,
    };
    if let Some(capabilities) = &capabilities {
        let limit = capabilities.reply_limit;
        let length = capabilities.reply_unit.count(text);
        if length > limit {
            return Err(UsageError(format!(
                "the reply is {length} characters; {} takes at most {limit}",
                row.network.label()
            ))
            .into());
        }
    }
    let now = context.clock.now_millis();
    let queued = match private {
        None => store.queue_reply(id, text, &context.agent, close, now)?,
        Some(comment) => {
            // Without any record of the account the network's usual rule applies.
            let window = match &capabilities {
                Some(capabilities) => capabilities.private_reply.ok_or_else(|| {
                    UsageError(format!("{} has no private replies", row.network.label()))
                })?,
                None => crate::networks::graph::window::PRIVATE_REPLY_WINDOW,
            };
            let max_age = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
            store.queue_private_reply(id, comment, text, &context.agent, close, max_age, now)?
        }
    };
    deliver(
        context,
        &store,
        account,
        queue_only,
        queued.outbox_id,
        as_json,
    )
    .await
}

async fn like(
    context: &Context,
    id: i64,
    message: Option<i64>,
    liked: bool,
    queue_only: bool,
) -> anyhow::Result<Code> {
    let mut store = context.open_store()?;
    let account = connected_account(context, &store, id)?;
    let outbox_id = store.queue_like(
        id,
        message,
        liked,
        &context.agent,
        context.clock.now_millis(),
    )?;
    deliver(context, &store, account, queue_only, outbox_id, false).await
}

/// Delivers the account's due outbox entries now (unless asked not to), then reports what
/// became of `outbox_id`.
async fn deliver(
    context: &Context,
    store: &Store,
    account: Option<&SyncAccount>,
    queue_only: bool,
    outbox_id: i64,
    as_json: bool,
) -> anyhow::Result<Code> {
    if let (Some(account), false) = (account, queue_only) {
        let (engine, _events) = engine(context);
        engine.deliver_due(account).await?;
    }
    let entry = store.outbox_entry(outbox_id)?;
    let remote_id = match entry.message_id {
        Some(message_id) => store.message(message_id)?.and_then(|m| m.remote_id),
        None => None,
    };
    let code = match entry.state {
        Delivery::Sent => Code::Ok,
        Delivery::Failed => Code::Refused,
        Delivery::Queued | Delivery::Sending => Code::Queued,
    };
    if as_json {
        print_json(&json::Delivery {
            format: json::FORMAT_VERSION,
            conversation_id: entry.conversation_id,
            message_id: entry.message_id,
            outbox_id,
            delivery: entry.state.as_str(),
            remote_id,
            error: entry.last_error,
        })?;
        return Ok(code);
    }
    let what = entry.action.as_str();
    match (entry.state, &entry.last_error, account) {
        (Delivery::Sent, ..) => outln!("{what} sent (conversation #{})", entry.conversation_id)?,
        (Delivery::Failed, error, _) => eprintln!(
            "{what} failed: {}",
            error.as_deref().unwrap_or("the network refused it")
        ),
        (_, _, None) => outln!(
            "{what} queued: this process has no connection to that account; `hark sync` with the account configured will deliver it"
        )?,
        (_, Some(error), _) => outln!("{what} queued: {error}; `hark sync` will retry it")?,
        (_, None, _) => outln!("{what} queued; `hark sync` will deliver it")?,
    }
    Ok(code)
}

/// Waits for Ctrl+C (SIGINT) or, on Unix, SIGTERM (systemd, kill).
pub async fn stopped() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("could not listen for SIGTERM")?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.context("could not listen for Ctrl+C")?,
            _ = term.recv() => {}
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .context("could not listen for Ctrl+C")
    }
}
