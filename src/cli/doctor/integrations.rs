//! `hark doctor`'s integrations section: whether each Slack webhook and hook delivers (from
//! the notification queue every process shares, so an agent sees the daemon's too), and
//! whether the Help Scout Docs key works.

use std::collections::BTreeSet;
use std::time::Duration;

use super::Report;
use crate::cli::context::Context;
use crate::config::SecretRef;
use crate::store::Store;
use crate::text::age;

pub async fn check(context: &Context, report: &mut Report) {
    let config = &context.config;
    let store = Store::open(&context.db_path).ok();
    let known: BTreeSet<String> = store
        .as_ref()
        .and_then(|s| s.notification_channels().ok())
        .unwrap_or_default()
        .into_iter()
        .collect();
    if config.slack.is_empty()
        && config.hooks.is_empty()
        && config.helpscout.is_none()
        && known.is_empty()
    {
        return;
    }
    report.section("Integrations");
    let mut configured = BTreeSet::new();
    for slack in config.slack.iter().map(|s| s.get_ref()) {
        let label = format!("Slack {}", slack.name);
        configured.insert(slack.channel());
        if let Ok(reference) = slack.webhook() {
            secret_readable(&label, "webhook URL", &reference, report);
        }
        health(&label, &slack.channel(), store.as_ref(), context, report);
    }
    for hook in config.hooks.iter().map(|h| h.get_ref()) {
        let label = format!("hook {}", hook.display_name());
        configured.insert(hook.channel());
        report.note(format!(
            "{label}: runs `{}` on {} (stopped after {} s)",
            hook.command,
            hook.event_names().join(", "),
            hook.timeout().as_secs()
        ));
        health(&label, &hook.channel(), store.as_ref(), context, report);
    }
    // Channels another process delivers (the daemon's config) are shown from the queue.
    for channel in known.difference(&configured) {
        let label = channel
            .replacen("slack:", "Slack ", 1)
            .replacen("hook:", "hook ", 1);
        health(
            &format!("{label} (not in this config)"),
            channel,
            store.as_ref(),
            context,
            report,
        );
    }
    if let Some(docs) = &config.helpscout {
        helpscout(docs.get_ref(), report).await;
    }
}

fn secret_readable(label: &str, what: &str, reference: &SecretRef, report: &mut Report) {
    match reference.resolve() {
        Ok(_) => report.ok(format!(
            "{label}: this user can read the {what} ({})",
            reference.describe()
        )),
        Err(err) => report.note(format!(
            "{label}: this user cannot read the {what} ({err}) — fine for an agent when the \
             daemon, which delivers, can"
        )),
    }
}

fn health(
    label: &str,
    channel: &str,
    store: Option<&Store>,
    context: &Context,
    report: &mut Report,
) {
    let Some(health) = store.and_then(|s| s.channel_health(channel).ok()) else {
        return;
    };
    let now = context.clock.now_millis();
    let done = if channel.starts_with("hook:") {
        "run"
    } else {
        "sent"
    };
    let mut summary = format!("{label}: {} {done}", health.sent);
    if let Some(at) = health.last_sent_at {
        summary.push_str(&format!(" (last {} ago)", age(at, now)));
    }
    if health.queued > 0 {
        summary.push_str(&format!(", {} waiting", health.queued));
    }
    if health.failed > 0 {
        summary.push_str(&format!(", {} failed", health.failed));
    }
    report.note(summary);
    if let (Some(error), Some(at)) = (&health.last_error, health.last_error_at) {
        let text = format!(
            "{label}: {} ({} ago)",
            crate::text::sanitize_line(error),
            age(at, now)
        );
        if health.queued > 0 {
            report.warn(format!("{text}; retrying"));
        } else {
            report.problem(text);
        }
    }
}

async fn helpscout(docs: &crate::config::HelpScoutConfig, report: &mut Report) {
    let label = "Help Scout Docs";
    let Ok(reference) = docs.api_key() else {
        return;
    };
    let key = match reference.resolve() {
        Ok(key) => key,
        Err(err) => {
            report.problem(format!("{label}: cannot read the API key: {err}"));
            return;
        }
    };
    let client = crate::integrations::helpscout::DocsClient::new(docs);
    match tokio::time::timeout(Duration::from_secs(20), client.search(&key, "help")).await {
        Ok(Ok(found)) => report.ok(format!(
            "{label}: the API key works at {} ({} article(s) found for “help”)",
            docs.base(),
            found.len()
        )),
        Ok(Err(err)) => report.problem(format!("{label}: {err}")),
        Err(_) => report.problem(format!(
            "{label}: no answer from {} within 20 s",
            docs.base()
        )),
    }
}
