#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! Contract tests: real recorded Bluesky responses, and the records hark writes checked against
//! the lexicons, read at test time from HARK_FIXTURES (CI sets it to ../shared/fixtures).
//! Without it these tests say so and check nothing.

use std::path::{Path, PathBuf};

use chrono::Utc;
use hark::networks::bluesky::{
    contact, like_record, link_facet, mention_facet, message, reply_record,
};
use serde_json::{Value, json};

fn fixtures() -> Option<PathBuf> {
    match std::env::var_os("HARK_FIXTURES") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            eprintln!("HARK_FIXTURES is not set: skipping the Bluesky contract tests");
            None
        }
    }
}

/// (method, path, status, body) of every interaction of every bskyr recording.
fn recordings(root: &Path) -> Vec<(String, String, u64, String)> {
    let dir = root.join("bskyr/tests/testthat/_vcr");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let yaml: Value = serde_norway::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for i in yaml["http_interactions"].as_array().into_iter().flatten() {
            let uri = i["request"]["uri"].as_str().unwrap_or_default();
            let url = reqwest::Url::parse(uri).unwrap();
            out.push((
                i["request"]["method"]
                    .as_str()
                    .unwrap_or_default()
                    .to_uppercase(),
                url.path().to_owned(),
                i["response"]["status"]
                    .as_u64()
                    .or_else(|| i["response"]["status"]["code"].as_u64())
                    .unwrap_or(0),
                i["response"]["body"]["string"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            ));
        }
    }
    assert!(
        out.len() >= 20,
        "expected the Bluesky recordings in {}",
        dir.display()
    );
    out
}

#[test]
fn recorded_threads_likes_and_records_read_as_hark_expects() {
    let Some(root) = fixtures() else { return };
    let mut posts = 0;
    let mut created = 0;
    let mut errors = 0;
    for (method, path, status, body) in recordings(&root) {
        let Ok(json) = serde_json::from_str::<Value>(&body) else {
            continue;
        };
        match (method.as_str(), path.as_str(), status) {
            ("GET", "/xrpc/app.bsky.feed.getPostThread", 200) => {
                let mut node = &json["thread"];
                while node.get("post").is_some() {
                    let m = message(&node["post"], "did:plc:nobody")
                        .expect("a thread post reads as a message");
                    assert!(m.remote_id.starts_with("at://"));
                    assert!(!m.author.handle.is_empty());
                    posts += 1;
                    node = &node["parent"];
                }
                for reply in json["thread"]["replies"].as_array().into_iter().flatten() {
                    if reply.get("post").is_some() {
                        let m = message(&reply["post"], "did:plc:nobody").unwrap();
                        assert!(m.parent_remote_id.is_some(), "a reply knows its parent");
                        posts += 1;
                    }
                }
            }
            ("GET", "/xrpc/app.bsky.feed.getLikes", 200) => {
                for like in json["likes"].as_array().unwrap() {
                    assert!(!contact(&like["actor"]).remote_id.is_empty());
                }
            }
            ("POST", "/xrpc/com.atproto.repo.createRecord", 200) => {
                assert!(json["uri"].as_str().unwrap().starts_with("at://"));
                assert!(json["cid"].is_string());
                created += 1;
            }
            (_, _, 400..=499) => {
                assert!(
                    json["error"].is_string() || json["message"].is_string(),
                    "{body}"
                );
                errors += 1;
            }
            _ => {}
        }
    }
    assert!(
        posts >= 1 && created >= 3 && errors >= 1,
        "posts {posts}, created {created}, errors {errors}"
    );
}

/// Checks a value against a lexicon object definition: required fields present, and the
/// primitive types of the properties it names.
fn check(value: &Value, def: &Value, lexicons: &Path, at: &str) {
    for field in def["required"].as_array().into_iter().flatten() {
        let field = field.as_str().unwrap();
        assert!(
            value.get(field).is_some(),
            "{at}: required `{field}` is missing in {value}"
        );
    }
    for (name, property) in def["properties"].as_object().into_iter().flatten() {
        let Some(field) = value.get(name) else {
            continue;
        };
        let where_ = format!("{at}.{name}");
        match property["type"].as_str().unwrap_or_default() {
            "string" => assert!(field.is_string(), "{where_} must be a string"),
            "integer" => assert!(
                field.is_i64() || field.is_u64(),
                "{where_} must be an integer"
            ),
            "array" => {
                let items = &property["items"];
                for item in field
                    .as_array()
                    .unwrap_or_else(|| panic!("{where_} must be an array"))
                {
                    if items["type"] == "ref" {
                        check(
                            item,
                            &resolve(items["ref"].as_str().unwrap(), lexicons, at),
                            lexicons,
                            &where_,
                        );
                    }
                }
            }
            "ref" => check(
                field,
                &resolve(property["ref"].as_str().unwrap(), lexicons, at),
                lexicons,
                &where_,
            ),
            "union" => {
                let kind = field["$type"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{where_} needs a $type"));
                let refs: Vec<&str> = property["refs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap())
                    .collect();
                assert!(
                    refs.iter()
                        .any(|r| kind.ends_with(r.trim_start_matches('#')) || kind == *r),
                    "{where_}: {kind} is not one of {refs:?}"
                );
                check(field, &resolve(kind, lexicons, at), lexicons, &where_);
            }
            _ => {}
        }
    }
}

/// The definition a lexicon reference names ("com.atproto.repo.strongRef", "#byteSlice"…).
fn resolve(reference: &str, lexicons: &Path, context: &str) -> Value {
    let (nsid, def) = match reference.split_once('#') {
        Some(("", def)) => (context_nsid(context), def.to_owned()),
        Some((nsid, def)) => (nsid.to_owned(), def.to_owned()),
        None => (reference.to_owned(), "main".to_owned()),
    };
    let file = lexicons.join(format!("{}.json", nsid.replace('.', "/")));
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display())),
    )
    .unwrap();
    let def = &doc["defs"][def.as_str()];
    if def["type"] == "record" {
        def["record"].clone()
    } else {
        def.clone()
    }
}

fn context_nsid(context: &str) -> String {
    context
        .split(['.', '#'])
        .take(4)
        .collect::<Vec<_>>()
        .join(".")
}

#[test]
fn records_hark_writes_follow_the_lexicons() {
    let Some(root) = fixtures() else { return };
    let lexicons = root.join("atproto/lexicons");
    let strong = json!({ "uri": "at://did:plc:x/app.bsky.feed.post/3k7qmjev5lr2s", "cid": "bafyreifk6pyilxkm7vcingnkdbzueaftqg54i3al4zbh5p3jy3pryfkc3a" });
    let text = "héllo @alice.test see https://example.com/a";
    let facets = vec![
        mention_facet(7, 18, "did:plc:alice"),
        link_facet(23, "https://example.com/a"),
    ];
    assert_eq!(&text[7..18], "@alice.test");
    assert_eq!(&text[23..], "https://example.com/a");
    let reply = reply_record(text, strong.clone(), strong.clone(), facets, Utc::now());
    check(
        &reply,
        &resolve("app.bsky.feed.post", &lexicons, "app.bsky.feed.post"),
        &lexicons,
        "app.bsky.feed.post",
    );
    check(
        &reply["reply"],
        &resolve(
            "app.bsky.feed.post#replyRef",
            &lexicons,
            "app.bsky.feed.post",
        ),
        &lexicons,
        "app.bsky.feed.post.reply",
    );
    for facet in reply["facets"].as_array().unwrap() {
        check(
            facet,
            &resolve(
                "app.bsky.richtext.facet",
                &lexicons,
                "app.bsky.richtext.facet",
            ),
            &lexicons,
            "app.bsky.richtext.facet",
        );
    }
    let like = like_record(strong, Utc::now());
    check(
        &like,
        &resolve("app.bsky.feed.like", &lexicons, "app.bsky.feed.like"),
        &lexicons,
        "app.bsky.feed.like",
    );
    assert!(
        chrono::DateTime::parse_from_rfc3339(like["createdAt"].as_str().unwrap()).is_ok(),
        "createdAt is a datetime"
    );

    // The check itself catches a record the lexicon would refuse.
    let mut broken = reply.clone();
    broken.as_object_mut().unwrap().remove("text");
    let post = resolve("app.bsky.feed.post", &lexicons, "app.bsky.feed.post");
    let caught =
        std::panic::catch_unwind(|| check(&broken, &post, &lexicons, "app.bsky.feed.post"));
    assert!(
        caught.is_err(),
        "a post without text must fail the lexicon check"
    );
}
