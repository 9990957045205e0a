//! `hark doctor`: what a person (or the admin of a team box) should know before relying on
//! hark here — where the database is and who may touch it, who can read the brand's tokens,
//! whether each account's credentials still work, whether a sync daemon is alive, and what
//! this terminal reports of its keys. Problems are marked `✗` (the exit code is then 1),
//! things worth a look `!`.

mod integrations;

use std::io::IsTerminal;
use std::path::Path;

use super::context::Context;
use super::exit::Code;
use crate::store::Store;

#[derive(Default)]
struct Report {
    problems: usize,
}

/// Lines of the report; a reader that closed the pipe only stops the printing, not the checks.
impl Report {
    fn section(&self, title: &str) {
        let _ = outln!("\n{title}");
    }
    fn ok(&self, text: impl AsRef<str>) {
        let _ = outln!("  ✓ {}", text.as_ref());
    }
    fn note(&self, text: impl AsRef<str>) {
        let _ = outln!("  · {}", text.as_ref());
    }
    fn warn(&self, text: impl AsRef<str>) {
        let _ = outln!("  ! {}", text.as_ref());
    }
    fn problem(&mut self, text: impl AsRef<str>) {
        self.problems += 1;
        let _ = outln!("  ✗ {}", text.as_ref());
    }
}

pub async fn run(context: &Context) -> anyhow::Result<Code> {
    let mut report = Report::default();
    outln!(
        "hark {} — agent {}",
        env!("CARGO_PKG_VERSION"),
        context.agent
    )?;
    database(context, &mut report);
    secrets(context, &mut report);
    accounts(context, &mut report).await;
    sync(context, &mut report);
    integrations::check(context, &mut report).await;
    terminal(&report);
    outln!()?;
    if report.problems == 0 {
        outln!("No problems found.")?;
        Ok(Code::Ok)
    } else {
        outln!("{} problem(s) found.", report.problems)?;
        Ok(Code::Error)
    }
}

fn database(context: &Context, report: &mut Report) {
    let path = &context.db_path;
    report.section(&format!("Database  {}", path.display()));
    match Store::open(path) {
        Ok(store) => match store.schema_version() {
            Ok(version) => report.ok(format!("opens, schema version {version}")),
            Err(err) => report.problem(format!("cannot read the schema version: {err}")),
        },
        Err(err) => report.problem(format!("cannot open it: {err}")),
    }
    match crate::store::filesystem::network_filesystem(path) {
        Some(kind) => report.problem(format!(
            "it is on a network filesystem ({kind}): SQLite's WAL needs every process on one \
             machine; keep it on a local disk"
        )),
        None => report.ok("on a local disk"),
    }
    if let Some(folder) = path.parent() {
        permissions(folder, "folder", report);
    }
    permissions(path, "file", report);
}

/// Mode and owners of the database folder or file, with what they mean for a team.
fn permissions(path: &Path, what: &str, report: &mut Report) {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let mode = meta.mode() & 0o7777;
    let owner = uzers::get_user_by_uid(meta.uid()).map_or_else(
        || meta.uid().to_string(),
        |u| u.name().to_string_lossy().into_owned(),
    );
    let group = uzers::get_group_by_gid(meta.gid()).map_or_else(
        || meta.gid().to_string(),
        |g| g.name().to_string_lossy().into_owned(),
    );
    report.note(format!(
        "{what} mode {mode:04o}, owner {owner}, group {group}"
    ));
    if mode & 0o004 != 0 {
        report.warn(format!(
            "the {what} is readable by every user of this machine: customers' messages are \
             in it (chmod o-rwx)"
        ));
    }
    if mode & 0o002 != 0 {
        report.problem(format!("the {what} is writable by every user (chmod o-w)"));
    }
    if what == "folder" && mode & 0o020 != 0 && mode & 0o2000 == 0 {
        report.warn(
            "the folder is group-writable but not setgid: files teammates create (the WAL) \
             may end up in their own group (chmod g+s)",
        );
    }
}

fn secrets(context: &Context, report: &mut Report) {
    let Some(dir) = context.secrets_dir() else {
        return;
    };
    report.section(&format!("Secrets  {}", dir.display()));
    if !dir.exists() {
        report.note("no secrets folder (tokens come from the environment or commands)");
    } else {
        secret_permissions(&dir, report);
    }
    for account in context.config.accounts() {
        let Some(reference) = account.secret() else {
            continue;
        };
        match reference.resolve() {
            Ok(_) => report.ok(format!(
                "{}: this user can read the token ({})",
                account.name,
                reference.describe()
            )),
            Err(_) => report.note(format!(
                "{}: this user cannot read the token ({}) — fine for an agent when `hark sync \
                 --daemon` runs as the user who can",
                account.name,
                reference.describe()
            )),
        }
        if let crate::config::SecretRef::File(path) = &reference {
            secret_permissions(path, report);
        }
    }
}

/// A token (or the secrets folder) must be readable by its owner only.
fn secret_permissions(path: &Path, report: &mut Report) {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let mode = meta.mode() & 0o777;
    if mode & 0o077 != 0 {
        let fix = if meta.is_dir() { "700" } else { "600" };
        report.problem(format!(
            "{} is mode {mode:03o}: others can read the brand's credentials (chmod {fix})",
            path.display()
        ));
    } else {
        report.ok(format!("{} is mode {mode:03o}", path.display()));
    }
}

async fn accounts(context: &Context, report: &mut Report) {
    report.section("Accounts");
    for (name, reason) in &context.account_errors {
        report.note(format!("{name}: not connected here ({reason})"));
    }
    for account in &context.accounts {
        let label = format!("{} ({})", account.name, account.network.kind().label());
        let checked =
            tokio::time::timeout(std::time::Duration::from_secs(20), account.network.verify())
                .await;
        match checked {
            Ok(Ok(whom)) => report.ok(format!("{label}: the credentials work — {whom}")),
            Ok(Err(err)) => report.problem(format!("{label}: {err}")),
            Err(_) => report.problem(format!("{label}: no answer within 20 s")),
        }
    }
    if context.accounts.is_empty() && context.account_errors.is_empty() {
        report.note("no accounts configured");
    }
}

fn sync(context: &Context, report: &mut Report) {
    report.section("Sync");
    let Ok(store) = Store::open(&context.db_path) else {
        return;
    };
    let now = context.clock.now_millis();
    match store.sync_lease() {
        Ok(Some(lease))
            if now - lease.heartbeat_at < crate::sync::LEASE_TTL_MILLIS
                && crate::store::lease::process_alive(&lease.holder) =>
        {
            report.ok(format!(
                "{} syncs this database (last beat {} s ago)",
                lease.holder,
                (now - lease.heartbeat_at) / 1000
            ));
        }
        Ok(Some(lease)) => report.warn(format!(
            "nobody is syncing: the last holder, {}, stopped {} s ago (start `hark sync --daemon`)",
            lease.holder,
            (now - lease.heartbeat_at) / 1000
        )),
        Ok(None) => report.warn("nobody has synced this database yet (start `hark sync --daemon`)"),
        Err(err) => report.problem(format!("cannot read the sync lease: {err}")),
    }
    match store.outbox_backlog() {
        Ok((queued, failed)) => {
            if queued > 0 {
                report.note(format!("{queued} action(s) waiting in the outbox"));
            }
            if failed > 0 {
                report.warn(format!(
                    "{failed} action(s) failed for good (see them with `r`/`e` in the inbox)"
                ));
            }
        }
        Err(err) => report.problem(format!("cannot read the outbox: {err}")),
    }
}

fn terminal(report: &Report) {
    report.section("Terminal");
    if !std::io::stdout().is_terminal() {
        report.note("not run in a terminal: keyboard support not checked");
        return;
    }
    match crossterm::terminal::supports_keyboard_enhancement() {
        Ok(true) => report.ok("reports modified keys (Ctrl+Enter sends)"),
        Ok(false) => {
            report.warn("legacy keys only: Ctrl+Enter looks like Enter — Ctrl+S or Alt+Enter send")
        }
        Err(err) => report.note(format!("could not ask the terminal: {err}")),
    }
}
