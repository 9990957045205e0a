//! Command-line interface: argument parsing, and one function per command.
//!
//! Exit codes (stable, for scripts): see [`exit`].

/// Prints a line on standard output like `println!`, but answers the error (a reader that
/// closed the pipe, as `| head` does) instead of panicking; the caller passes it on with `?`
/// and a closed pipe ends the command quietly.
macro_rules! outln {
    () => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock())
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `print!` that answers its error, as [`outln!`] does.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

pub mod accounts;
mod add_x;
mod commands;
mod context;
mod doctor;
pub mod exit;
mod export;
mod json;
mod manual;
mod output;
pub mod people;
pub mod replies;
mod report;
pub mod rules;
mod rules_edit;
pub mod tags;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

pub use commands::stopped as commands_stopped;
pub use context::Context;

/// `hark --version`: the version, and what was built.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("HARK_BUILD_COMMIT"),
    ", ",
    env!("HARK_BUILD_TARGET"),
    ", ",
    env!("HARK_BUILD_PROFILE"),
    " build)"
);

#[derive(Debug, Parser)]
#[command(
    name = "hark",
    version,
    long_version = LONG_VERSION,
    about = "A terminal social inbox: comments, mentions and DMs in one fast inbox",
    long_about = None,
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The config file [default: the platform config folder's hark/config.toml]
    #[arg(long, global = true, env = "HARK_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The database file [default: the config's `database`, else the platform data folder]
    #[arg(long, global = true, env = "HARK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Use the embedded demo network (no account, no network). Without --db, the database is
    /// a throwaway one, removed on exit.
    #[arg(long, global = true)]
    pub demo: bool,
    /// More detail in the log file (-v debug, -vv trace); commands other than the inbox also
    /// print it on standard error.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the inbox (the default).
    Inbox,
    /// Fetch new items and deliver queued replies, printing progress.
    Sync {
        /// Sync every account once, then exit (default: keep syncing until interrupted).
        #[arg(long, conflicts_with = "daemon")]
        once: bool,
        /// Run as the database's background syncer (a team box, a systemd unit): print only
        /// problems, and stop cleanly on SIGTERM or SIGINT, finishing the delivery under way.
        #[arg(long)]
        daemon: bool,
    },
    /// The brand accounts hark syncs.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// List and show conversations.
    #[command(subcommand, alias = "conv")]
    Conversations(ConversationsCommand),
    /// Reply to a conversation (through the outbox, like the inbox does).
    Reply {
        /// The conversation id.
        id: i64,
        /// The reply's text.
        #[arg(long, short)]
        text: String,
        /// Close the conversation as well.
        #[arg(long)]
        close: bool,
        /// Answer the customer's comment in their private inbox instead of under it (Facebook
        /// and Instagram: once per comment, within 7 days of it).
        #[arg(long)]
        private: bool,
        /// With --private: the comment to answer (a message id) instead of the latest one.
        #[arg(long, value_name = "MESSAGE_ID", requires = "private")]
        comment: Option<i64>,
        /// Only queue the reply; a running `hark sync` (or the next one) delivers it.
        #[arg(long)]
        queue_only: bool,
        #[arg(long)]
        json: bool,
    },
    /// Close a conversation (it reopens by itself when the customer writes again).
    Close { id: i64 },
    /// Reopen a closed or snoozed conversation.
    Reopen { id: i64 },
    /// Like the customer's latest message in a conversation.
    Like {
        /// The conversation id.
        id: i64,
        /// Like this message instead of the latest one.
        #[arg(long, value_name = "MESSAGE_ID")]
        message: Option<i64>,
        /// Take the like back.
        #[arg(long)]
        undo: bool,
        /// Only queue the like; a running `hark sync` delivers it.
        #[arg(long)]
        queue_only: bool,
    },
    /// Saved replies: list, add, edit, remove, import, export.
    #[command(subcommand)]
    Replies(replies::RepliesCommand),
    /// Tags: list them, give them colours.
    #[command(subcommand)]
    Tags(tags::TagsCommand),
    /// Triage rules: list them, or dry-run them over the cached history.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Response and resolution numbers for a period (text, --json or --csv).
    Report(report::ReportArgs),
    /// Export conversations with their messages, tags and notes (JSON or CSV).
    Export(export::ExportArgs),
    /// The people of a team box and their roles (admin or agent).
    #[command(subcommand)]
    People(people::PeopleCommand),
    /// Check this setup: the database and who may touch it, who can read the tokens, whether
    /// each account's credentials work, whether a sync daemon runs, what the terminal reports.
    Doctor,
    /// Print the version.
    Version {
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script: `hark completions bash > ~/.local/share/bash-completion/completions/hark`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write one page per command into a folder.
    Man {
        /// Write hark.1, hark-sync.1, … into this folder instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Connect a brand account: sign in (or use an existing token), keep the token as a secret,
    /// and add the account to the config file.
    Add(Box<accounts::AddArgs>),
    /// List the accounts and how their sync stands.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConversationsCommand {
    /// List the conversations of a folder, newest first.
    List {
        /// open, mine, unassigned, snoozed, closed, searches, overdue, tag:NAME or account:NAME
        #[arg(long, short, default_value = "open")]
        folder: String,
        /// How many to list.
        #[arg(long, short = 'n', default_value_t = 50)]
        limit: usize,
        /// Continue after this cursor (printed as `next_cursor` by the previous page).
        #[arg(long)]
        after: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one conversation with its messages.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
}

/// Runs hark with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code.into(),
        // A reader that stopped early (`hark export | head`) is not a failure.
        Err(err) if output::is_broken_pipe(&err) => exit::Code::Ok.into(),
        Err(err) => {
            let code = exit::code_for(&err);
            eprintln!("hark: {}", output::error_chain(&err));
            code.into()
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<exit::Code> {
    let command = cli.command.unwrap_or(Command::Inbox);
    match command {
        Command::Version { json } => return commands::version(json),
        Command::Completions { shell } => return manual::completions(shell),
        Command::Man { dir } => return manual::man(dir.as_deref()),
        _ => {}
    }
    if let Command::Accounts(AccountsCommand::Add(args)) = command {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        return runtime.block_on(accounts::add(
            cli.global.config.clone(),
            cli.global.db.clone(),
            *args,
        ));
    }
    let draws = matches!(command, Command::Inbox);
    let context = Context::build(&cli.global, draws)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(commands::dispatch(context, command))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
        // A subcommand's own flag named like a global one would break parsing at run time.
        for args in [
            &["hark", "-v", "rules", "test", "--all"][..],
            &["hark", "rules", "test", "-v"],
            &["hark", "export", "--format", "csv", "-v"],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            assert_eq!(cli.global.verbose, 1, "{args:?}");
        }
    }
}
