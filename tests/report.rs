#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! `hark report` on a hand-built history: the numbers, as JSON and as CSV.

mod common;

use common::*;
use hark::model::Folder;
use hark::store::PageCursor;
use serde_json::Value;

#[test]
fn report_numbers_come_out_as_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hark.db");
    let (mut store, account) = store_with_account(Some(&db));
    ingest(
        &mut store,
        account,
        &[inbound("a", "a1", "where is my order", 0)],
        0,
    );
    let a = store
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    store
        .queue_reply(a, "Checking now", "ana", false, ms(30))
        .unwrap();
    ingest(
        &mut store,
        account,
        &[inbound("a", "a2", "any news?", 60)],
        60,
    );
    store
        .queue_reply(a, "Shipped today", "bo", true, ms(70))
        .unwrap();
    let mut b = inbound("b", "b1", "hello?", 100);
    b.customer = customer("u2", "Bo Customer");
    b.message.author = b.customer.clone();
    ingest(&mut store, account, &[b], 100);
    drop(store);

    let home = tempfile::tempdir().unwrap();
    let run = |format: &str| {
        let output = hark_in(home.path())
            .arg("--db")
            .arg(&db)
            .args([
                "report",
                "--since",
                "2026-06-01",
                "--until",
                "2026-06-02",
                format,
            ])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let json: Value = serde_json::from_str(&run("--json")).unwrap();
    let report = &json["report"];
    assert_eq!(report["inbound"], 3);
    assert_eq!(report["outbound"], 2);
    assert_eq!(report["first_response"]["median"], 30 * 60_000);
    assert_eq!(report["response"]["count"], 2);
    assert_eq!(report["response"]["fastest"], 10 * 60_000);
    assert_eq!(report["resolution"]["median"], 70 * 60_000);
    assert_eq!(report["needing_reply"], 2);
    assert_eq!(report["replied"], 1);
    assert_eq!(report["unique_customers"], 2);
    let agents: Vec<&str> = report["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["agent"].as_str().unwrap())
        .collect();
    assert_eq!(agents, ["ana", "bo"]);

    let csv = run("--csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "section,key,value");
    assert!(lines.contains(&"first_response,median_ms,1800000"), "{csv}");
    assert!(lines.contains(&"summary,reply_rate,0.5000"), "{csv}");
    assert!(lines.contains(&"agent_closed,bo,1"), "{csv}");
    assert!(lines.contains(&"day_inbound,2026-06-01,3"), "{csv}");
    assert!(lines.contains(&"sentiment,neutral,3"), "{csv}");
}
