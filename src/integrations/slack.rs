//! Slack incoming webhooks: an event becomes a message (plain `text` for notifications and
//! `blocks` for the channel), posted as JSON to the webhook's URL. Slack answers `ok`, or an
//! error code as plain text with an HTTP status (the incoming webhooks docs list them).

use std::time::Duration;

use serde_json::{Value, json};

use crate::config::Secret;
use crate::networks::{NetworkError, NetworkResult};

/// Characters of the customer's message quoted in Slack.
const SNIPPET_CHARS: usize = 280;

pub struct SlackWebhook {
    http: reqwest::Client,
}

impl SlackWebhook {
    pub fn new() -> SlackWebhook {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .user_agent(concat!("hark/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        SlackWebhook { http }
    }

    /// Posts one message. The URL is the secret: errors never show it.
    pub async fn post(&self, url: &Secret, message: &Value) -> NetworkResult<()> {
        let response = self
            .http
            .post(url.expose())
            .json(message)
            .send()
            .await
            .map_err(|err| crate::networks::http::transport_error(err, "Slack"))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = crate::networks::http::read_body(response, "Slack").await?;
        let code = String::from_utf8_lossy(&body).trim().to_owned();
        if status.is_success() {
            return Ok(());
        }
        Err(classify(status.as_u16(), &code, retry_after))
    }
}

impl Default for SlackWebhook {
    fn default() -> Self {
        SlackWebhook::new()
    }
}

/// Slack's answer as an error the queue acts on: rate limits and server trouble are tried
/// again; a refused message or a webhook that no longer posts anywhere is not.
pub fn classify(status: u16, code: &str, retry_after: Option<Duration>) -> NetworkError {
    let code: String = code.chars().take(80).filter(|c| !c.is_control()).collect();
    if status == 429 {
        return NetworkError::RateLimited {
            retry_after,
            reset_at: None,
        };
    }
    let described = match hint(&code) {
        _ if code.is_empty() => format!("HTTP {status}"),
        Some(hint) => format!("{code} (HTTP {status}): {hint}"),
        None => format!("{code} (HTTP {status})"),
    };
    if status >= 500 {
        NetworkError::Transient(described)
    } else {
        NetworkError::Rejected(described)
    }
}

/// What to do about each error code Slack documents for incoming webhooks.
fn hint(code: &str) -> Option<&'static str> {
    Some(match code {
        "invalid_payload" => "Slack could not read the message hark sent (please report it)",
        "no_text" => "the message had no text",
        "too_many_attachments" => "the message had too many attachments",
        "user_not_found" => "the webhook's user no longer exists; create a new webhook",
        "action_prohibited" => "an admin restricted posting to this channel",
        "posting_to_general_channel_denied" => {
            "only admins may post to this channel; choose another channel for the webhook"
        }
        "invalid_token" | "no_service" | "no_service_id" | "no_team" | "team_disabled" => {
            "the webhook was revoked or disabled; create a new one and update the config"
        }
        "channel_not_found" => "the webhook's channel no longer exists; create a new webhook",
        "channel_is_archived" => {
            "the webhook's channel is archived; unarchive it or create a new webhook"
        }
        "no_active_hooks" => "the Slack app has no active webhooks; turn incoming webhooks back on",
        "rollup_error" => "Slack had trouble on its side; hark tries again",
        _ => return None,
    })
}

/// Slack's mrkdwn needs `&`, `<` and `>` escaped; escaping them also keeps a customer's
/// `<!channel>` from pinging anyone.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The Slack message for an event (see the store's notification payload).
pub fn message(payload: &Value) -> Value {
    let str_of = |value: &Value| value.as_str().map(str::to_owned);
    let network = payload["conversation"]["network"]
        .as_str()
        .map(network_label)
        .unwrap_or("hark");
    let kind = payload["conversation"]["kind"]
        .as_str()
        .map(kind_label)
        .unwrap_or("conversation");
    let account = str_of(&payload["conversation"]["account"]).unwrap_or_default();
    let who = who(payload);
    let actor = str_of(&payload["actor"]).unwrap_or_default();
    let headline = match payload["event"].as_str().unwrap_or("") {
        "new_conversation" => format!("New {network} {kind} from {who}"),
        "assigned" => format!(
            "{} assigned to {} by {actor}",
            capitalised(&format!("{network} {kind} from {who}")),
            str_of(&payload["assignee"]).unwrap_or_else(|| "nobody".into())
        ),
        "sla_breached" => format!(
            "{who} has waited past the {} target ({network} {kind})",
            target_text(payload["sla"]["target_minutes"].as_i64())
        ),
        "reply_sent" => format!("{actor} answered {who} ({network} {kind})"),
        "closed" => format!("{actor} closed the {network} {kind} from {who}"),
        other => format!("{other}: {network} {kind} from {who}"),
    };
    let emoji = match payload["event"].as_str().unwrap_or("") {
        "sla_breached" => ":warning: ",
        "assigned" => ":bust_in_silhouette: ",
        "new_conversation" => ":speech_balloon: ",
        _ => "",
    };
    let snippet = payload["message"]["text"]
        .as_str()
        .map(snippet)
        .unwrap_or_default();
    let url = str_of(&payload["message"]["url"]);
    let mut body = format!("{emoji}*{}*", escape(&headline));
    if !snippet.is_empty() {
        body.push('\n');
        for line in snippet.lines() {
            body.push_str(&format!("\n>{}", escape(line)));
        }
    }
    if let Some(url) = &url {
        body.push_str(&format!("\n<{}|Open the original post>", link_target(url)));
    }
    let mut context = vec![format!("{network} · {}", escape(&account))];
    if let Some(tags) = payload["conversation"]["tags"].as_array()
        && !tags.is_empty()
    {
        let tags: Vec<String> = tags
            .iter()
            .filter_map(Value::as_str)
            .map(|t| format!("#{}", escape(t)))
            .collect();
        context.push(tags.join(" "));
    }
    if let Some(assignee) = payload["conversation"]["assignee"].as_str() {
        context.push(format!("assigned to {}", escape(assignee)));
    }
    if let Some(id) = payload["conversation"]["id"].as_i64() {
        context.push(format!("hark conversation {id}"));
    }
    let mut text = headline;
    if !snippet.is_empty() {
        text.push_str(&format!(": “{}”", first_line(&snippet)));
    }
    json!({
        "text": escape(&text),
        "blocks": [
            { "type": "section", "text": { "type": "mrkdwn", "text": body } },
            { "type": "context", "elements": [ { "type": "mrkdwn", "text": context.join("  ·  ") } ] },
        ],
        "unfurl_links": false,
    })
}

fn who(payload: &Value) -> String {
    let contact = &payload["contact"];
    let name = contact["name"].as_str().filter(|n| !n.trim().is_empty());
    let handle = contact["handle"].as_str().filter(|h| !h.trim().is_empty());
    let vip = if contact["vip"].as_bool() == Some(true) {
        " (VIP)"
    } else {
        ""
    };
    let person = match (name, handle) {
        (Some(name), Some(handle)) if name != handle => format!("{name} ({handle})"),
        (Some(name), _) => name.to_owned(),
        (None, Some(handle)) => handle.to_owned(),
        (None, None) => payload["message"]["author"]
            .as_str()
            .unwrap_or("a customer")
            .to_owned(),
    };
    format!("{}{vip}", crate::text::sanitize(&person))
}

fn snippet(text: &str) -> String {
    let clean = crate::text::sanitize(text);
    let lines: Vec<&str> = clean
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(4)
        .collect();
    let joined = lines.join("\n");
    if joined.chars().count() <= SNIPPET_CHARS {
        return joined;
    }
    let cut: String = joined.chars().take(SNIPPET_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// A URL as the target of a Slack link: `|` and `>` would end it early.
fn link_target(url: &str) -> String {
    url.replace('|', "%7C")
        .replace('>', "%3E")
        .replace('<', "%3C")
}

fn target_text(minutes: Option<i64>) -> String {
    match minutes {
        Some(m) if m > 0 => crate::text::duration(m * 60_000),
        _ => "response-time".to_owned(),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn network_label(network: &str) -> &'static str {
    network
        .parse::<crate::model::NetworkKind>()
        .map(|kind| kind.label())
        .unwrap_or("hark")
}

fn kind_label(kind: &str) -> &'static str {
    kind.parse::<crate::model::ConversationKind>()
        .map(|kind| kind.label())
        .unwrap_or("conversation")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assigned() -> Value {
        json!({
            "event": "assigned", "actor": "ana", "assignee": "bo",
            "conversation": {"id": 7, "account": "brand", "network": "mastodon", "kind": "mention",
                             "tags": ["vip"], "assignee": "bo"},
            "contact": {"name": "Kim <!channel>", "handle": "@kim@m.example", "vip": true},
            "message": {"text": "My order & <b>refund</b>\nplease", "url": "https://m.example/@kim/1"},
        })
    }

    #[test]
    fn a_message_says_who_where_what_and_links_the_post() {
        let message = message(&assigned());
        let text = message["text"].as_str().unwrap();
        assert!(text.starts_with("Mastodon mention from Kim &lt;!channel&gt; (@kim@m.example) (VIP) assigned to bo by ana"), "{text}");
        let body = message["blocks"][0]["text"]["text"].as_str().unwrap();
        assert!(
            body.contains(">My order &amp; &lt;b&gt;refund&lt;/b&gt;\n>please"),
            "{body}"
        );
        assert!(
            body.contains("<https://m.example/@kim/1|Open the original post>"),
            "{body}"
        );
        assert!(!body.contains("<!channel>"), "{body}");
        let context = message["blocks"][1]["elements"][0]["text"]
            .as_str()
            .unwrap();
        assert_eq!(
            context,
            "Mastodon · brand  ·  #vip  ·  assigned to bo  ·  hark conversation 7"
        );
    }

    #[test]
    fn errors_are_named_and_only_slack_trouble_is_retried() {
        let gone = classify(404, "channel_not_found", None);
        assert!(!gone.is_retryable());
        assert!(
            gone.to_string()
                .starts_with("channel_not_found (HTTP 404): "),
            "{gone}"
        );
        assert!(classify(500, "rollup_error", None).is_retryable());
        assert!(!classify(400, "invalid_payload", None).is_retryable());
        assert_eq!(
            classify(429, "", Some(Duration::from_secs(30))),
            NetworkError::RateLimited {
                retry_after: Some(Duration::from_secs(30)),
                reset_at: None
            }
        );
        assert_eq!(classify(403, "", None).to_string(), "HTTP 403");
    }
}
