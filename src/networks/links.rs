//! Links to a message's original post on its network, read from the JSON the network gave
//! (kept with every message). A direct message has none.

use serde_json::Value;

use crate::model::NetworkKind;

/// The web address of the post a message came from, when the network has one.
pub fn post_url(network: NetworkKind, raw: &Value) -> Option<String> {
    let text = |value: &Value| {
        value
            .as_str()
            .filter(|s| s.starts_with("https://") || s.starts_with("http://"))
            .map(str::to_owned)
    };
    match network {
        // A status's `url` is its page; `uri` is the same for local posts.
        NetworkKind::Mastodon => text(&raw["url"]).or_else(|| text(&raw["uri"])),
        NetworkKind::Bluesky => bluesky_post_url(raw),
        NetworkKind::Facebook => text(&raw["permalink_url"]),
        NetworkKind::Instagram => {
            text(&raw["permalink"]).or_else(|| text(&raw["media"]["permalink"]))
        }
        // Tweets have an id and text; DM events have an event_type and no public page.
        NetworkKind::X => {
            let id = raw["id"].as_str()?;
            if raw.get("event_type").is_some() || !id.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(format!("https://x.com/i/web/status/{id}"))
        }
        NetworkKind::Demo => None,
    }
}

/// `at://DID/app.bsky.feed.post/RKEY` → `https://bsky.app/profile/HANDLE-OR-DID/post/RKEY`.
fn bluesky_post_url(raw: &Value) -> Option<String> {
    let uri = raw["uri"].as_str()?;
    let rest = uri.strip_prefix("at://")?;
    let mut parts = rest.split('/');
    let (did, collection, rkey) = (parts.next()?, parts.next()?, parts.next()?);
    if collection != "app.bsky.feed.post" || rkey.is_empty() {
        return None;
    }
    let profile = raw["author"]["handle"]
        .as_str()
        .filter(|h| !h.is_empty() && *h != "handle.invalid")
        .unwrap_or(did);
    Some(format!("https://bsky.app/profile/{profile}/post/{rkey}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_network_links_to_its_post_and_dms_to_nothing() {
        let status = json!({"id": "1", "uri": "https://m.example/users/a/statuses/1", "url": "https://m.example/@a/1"});
        assert_eq!(
            post_url(NetworkKind::Mastodon, &status).as_deref(),
            Some("https://m.example/@a/1")
        );
        let post = json!({"uri": "at://did:plc:abc/app.bsky.feed.post/3kx", "author": {"handle": "ana.bsky.social"}});
        assert_eq!(
            post_url(NetworkKind::Bluesky, &post).as_deref(),
            Some("https://bsky.app/profile/ana.bsky.social/post/3kx")
        );
        let chat = json!({"id": "m1", "text": "hi"});
        assert_eq!(post_url(NetworkKind::Bluesky, &chat), None);
        let tweet = json!({"id": "1790000000000000000", "text": "hi"});
        assert_eq!(
            post_url(NetworkKind::X, &tweet).as_deref(),
            Some("https://x.com/i/web/status/1790000000000000000")
        );
        let dm = json!({"id": "1790000000000000001", "event_type": "MessageCreate"});
        assert_eq!(post_url(NetworkKind::X, &dm), None);
        let comment = json!({"id": "1_2", "permalink_url": "https://www.facebook.com/1/posts/2?comment_id=3"});
        assert!(post_url(NetworkKind::Facebook, &comment).is_some());
        assert_eq!(
            post_url(
                NetworkKind::Facebook,
                &json!({"permalink_url": "javascript:x"})
            ),
            None
        );
    }
}
