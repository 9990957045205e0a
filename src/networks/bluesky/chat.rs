//! Bluesky direct messages: the chat service, reached through the PDS with the
//! `atproto-proxy` header, followed incrementally with the `getLog` cursor (chat.bsky.convo
//! lexicons). An app password made without "allow access to your direct messages" cannot reach
//! it; hark says so instead of failing quietly.

use reqwest::Method;
use serde_json::{Value, json};

use super::xrpc::Xrpc;
use crate::model::{ConversationKind, Direction, IncomingItem, RemoteContact, RemoteMessage};
use crate::networks::{FetchPage, NetworkError, NetworkResult};

/// Bluesky's chat service, as the PDS knows it.
pub const DEFAULT_CHAT_SERVICE: &str = "did:web:api.bsky.chat#bsky_chat";
/// Conversations and messages read on the first sync.
const FIRST_CONVOS: usize = 50;
const FIRST_MESSAGES: usize = 30;

pub struct Chat<'a> {
    pub xrpc: &'a Xrpc,
    pub proxy: &'a str,
}

impl Chat<'_> {
    async fn get(&self, nsid: &str, params: &[(&str, String)]) -> NetworkResult<Value> {
        self.xrpc
            .proxied(Method::GET, nsid, params, None, self.proxy)
            .await
            .map_err(explain)
    }

    /// New messages since `cursor` (a log revision); the first time, the recent conversations.
    pub async fn fetch(&self, me: &str, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        let mut items = Vec::new();
        let Some(cursor) = cursor else {
            let answer = self
                .get(
                    "chat.bsky.convo.listConvos",
                    &[("limit", FIRST_CONVOS.to_string())],
                )
                .await?;
            let mut newest: Option<String> = None;
            for convo in answer["convos"].as_array().into_iter().flatten() {
                let Some(id) = convo["id"].as_str() else {
                    continue;
                };
                if let Some(rev) = convo["rev"].as_str() {
                    newest = Some(newest.map_or(rev.to_owned(), |n| n.max(rev.to_owned())));
                }
                let messages = self
                    .get(
                        "chat.bsky.convo.getMessages",
                        &[
                            ("convoId", id.to_owned()),
                            ("limit", FIRST_MESSAGES.to_string()),
                        ],
                    )
                    .await?;
                let mut list: Vec<&Value> = messages["messages"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .collect();
                list.reverse(); // newest first from the server
                for message in list {
                    items.extend(item(convo, message, me));
                }
            }
            return Ok(FetchPage {
                items,
                cursor: newest.or(Some(String::new())),
                more: false,
                resume: None,
            });
        };
        let mut params = Vec::new();
        if !cursor.is_empty() {
            params.push(("cursor", cursor.to_owned()));
        }
        let answer = self.get("chat.bsky.convo.getLog", &params).await?;
        let mut convos: std::collections::HashMap<String, Value> = std::collections::HashMap::new();
        for log in answer["logs"].as_array().into_iter().flatten() {
            if !log["$type"]
                .as_str()
                .unwrap_or_default()
                .ends_with("#logCreateMessage")
            {
                continue;
            }
            let Some(id) = log["convoId"].as_str() else {
                continue;
            };
            if !convos.contains_key(id) {
                let convo = self
                    .get("chat.bsky.convo.getConvo", &[("convoId", id.to_owned())])
                    .await?;
                convos.insert(id.to_owned(), convo["convo"].clone());
            }
            items.extend(item(&convos[id], &log["message"], me));
        }
        let next = answer["cursor"]
            .as_str()
            .map(str::to_owned)
            .or(Some(cursor.to_owned()));
        Ok(FetchPage {
            items,
            cursor: next,
            more: false,
            resume: None,
        })
    }

    /// Sends a message into a conversation; answers the message's id.
    pub async fn send(&self, convo_id: &str, text: &str) -> NetworkResult<String> {
        let body = json!({ "convoId": convo_id, "message": { "text": text } });
        let sent: Value = self
            .xrpc
            .proxied(
                Method::POST,
                "chat.bsky.convo.sendMessage",
                &[],
                Some(&body),
                self.proxy,
            )
            .await
            .map_err(explain)?;
        sent["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| NetworkError::Malformed("sendMessage answered no id".into()))
    }
}

/// Says plainly when the app password cannot reach direct messages.
fn explain(err: NetworkError) -> NetworkError {
    match err {
        NetworkError::Auth(message) | NetworkError::Rejected(message)
            if message.contains("scope")
                || message.contains("InvalidToken")
                || message.contains("BadToken") =>
        {
            NetworkError::Auth(format!(
                "this app password cannot read direct messages ({message}): make one with \"allow access to your direct messages\""
            ))
        }
        other => other,
    }
}

fn item(convo: &Value, message: &Value, me: &str) -> Option<IncomingItem> {
    let id = message["id"].as_str()?;
    let sender = message["sender"]["did"].as_str()?;
    let members: Vec<&Value> = convo["members"].as_array().into_iter().flatten().collect();
    let member = |did: &str| members.iter().find(|m| m["did"] == did).copied();
    let customer_profile = members.iter().find(|m| m["did"] != me).copied()?;
    let customer = super::contact(customer_profile);
    let author = member(sender).map_or_else(
        || RemoteContact {
            remote_id: sender.to_owned(),
            handle: sender.to_owned(),
            name: None,
            avatar_url: None,
            bio: None,
            followers: None,
            profile_url: None,
        },
        super::contact,
    );
    let created_at = message["sentAt"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map_or_else(chrono::Utc::now, |t| t.with_timezone(&chrono::Utc));
    Some(IncomingItem {
        kind: ConversationKind::Dm,
        root_remote_id: convo["id"].as_str()?.to_owned(),
        subject: None,
        customer,
        message: RemoteMessage {
            remote_id: id.to_owned(),
            parent_remote_id: None,
            direction: if sender == me {
                Direction::Out
            } else {
                Direction::In
            },
            author,
            text: message["text"].as_str().unwrap_or_default().to_owned(),
            created_at,
            liked: false,
            hidden: None,
            raw: message.into(),
        },
    })
}
