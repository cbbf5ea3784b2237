//! Pages are bounded in bytes as well as rows: a page of large records ends early, and its
//! cursor leads on to the rest.

use std::collections::HashSet;

use chancery::api::pagination::PAGE_BYTES;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// Imports 40 statements of 10,000 four-byte characters each (40 KB of JSON apiece, 1.6 MB
/// in all), and returns their ids.
async fn large_statements(app: &TestApp) -> HashSet<String> {
    let text = "𝄞".repeat(10_000);
    let mut body = [
        json!({"type": "citation", "key": "edm", "source": "Eurasia Daily Monitor"}),
        json!({"type": "actor", "key": "xi", "kind": "person", "name": "Xi Jinping"}),
        json!({"type": "actor", "key": "kz", "kind": "state", "name": "Kazakhstan"}),
    ]
    .iter()
    .map(|line| format!("{line}\n"))
    .collect::<String>();
    for day in 1..=40 {
        let line = json!({"type": "statement", "speaker_id": "xi", "stated_on": format!("2022-09-{:02}", day % 28 + 1),
            "kind": "pledge", "text": text, "subjects": [{"actor_id": "kz", "stance": "support"}],
            "citations": [{"citation_id": "edm"}]});
        body.push_str(&format!("{line}\n"));
    }
    let response = app.import(body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let rows: Vec<(uuid::Uuid,)> = sqlx::query_as("SELECT id FROM statements")
        .fetch_all(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    rows.into_iter().map(|(id,)| id.to_string()).collect()
}

/// Follows `next_cursor` from `first` to the end; returns every page's body size and items.
async fn read_all(app: &TestApp, first: &str, cursor_param: &str) -> (Vec<usize>, Vec<Value>) {
    let (mut sizes, mut items) = (Vec::new(), Vec::new());
    let mut path = first.to_owned();
    loop {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let text = response.text().await.unwrap_or_default();
        sizes.push(text.len());
        let page: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        let page_items = page["items"].as_array().cloned().unwrap_or_default();
        let done = page_items.is_empty() || page["next_cursor"].is_null();
        items.extend(page_items);
        if done || sizes.len() > 50 {
            return (sizes, items);
        }
        let cursor = page["next_cursor"].as_str().unwrap_or_default();
        path = format!("{first}&{cursor_param}={cursor}");
    }
}

#[tokio::test]
async fn a_page_of_large_records_ends_early_and_its_cursor_leads_to_the_rest() {
    let app = spawn_app().await;
    let ids = large_statements(&app).await;
    let (sizes, items) = read_all(&app, "/v1/statements?limit=500", "cursor").await;
    // About 26 statements fit in a page's budget: the 40 take two pages, none past it by
    // more than one statement.
    assert!(sizes.len() >= 2, "one page of {} bytes", sizes[0]);
    for size in &sizes {
        assert!(*size <= PAGE_BYTES + 50_000, "a page of {size} bytes");
    }
    let seen: HashSet<String> = items.iter().map(uuid_of).collect();
    assert_eq!(items.len(), 40, "every statement once");
    assert_eq!(seen, ids);
}

#[tokio::test]
async fn timelines_and_revisions_are_bounded_in_bytes_too() {
    let app = spawn_app().await;
    let ids = large_statements(&app).await;
    let (sizes, items) = read_all(&app, "/v1/actors/xi-jinping/timeline?limit=500", "cursor").await;
    assert!(sizes.len() >= 2, "one page of {} bytes", sizes[0]);
    assert!(
        sizes.iter().all(|size| *size <= PAGE_BYTES + 50_000),
        "{sizes:?}"
    );
    let seen: HashSet<String> = items
        .iter()
        .map(|entry| {
            entry["statement"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(items.len(), 40);
    assert_eq!(seen, ids);

    // 30 versions of one large statement: its revisions take pages too.
    let id = ids.iter().next().cloned().unwrap_or_default();
    for version in 0..30 {
        let text = format!("{version}{}", "𝄞".repeat(9_000));
        let response = app
            .patch_json(&format!("/v1/statements/{id}"), &json!({"text": text}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let (sizes, items) = read_all(
        &app,
        &format!("/v1/statements/{id}/revisions?limit=500"),
        "cursor",
    )
    .await;
    assert!(sizes.len() >= 2, "one page of {} bytes", sizes[0]);
    assert!(
        sizes.iter().all(|size| *size <= PAGE_BYTES + 100_000),
        "{sizes:?}"
    );
    let versions: Vec<i64> = items.iter().filter_map(|r| r["version"].as_i64()).collect();
    assert_eq!(versions, (1..=31).collect::<Vec<i64>>());
    // Across the page break, each revision still shows what changed since the one before.
    assert!(
        items[1..]
            .iter()
            .all(|r| r["changes"]["text"].is_string() && r["changes"].get("kind").is_none())
    );
}

#[tokio::test]
async fn the_change_feed_is_bounded_in_bytes_too() {
    let app = spawn_app().await;
    let ids = large_statements(&app).await;
    let mut seen = HashSet::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while seen.len() < ids.len() && std::time::Instant::now() < deadline {
        let path = match &after {
            Some(after) => format!("/v1/changes?limit=500&wait=2&after={after}"),
            None => "/v1/changes?limit=500&wait=2".to_owned(),
        };
        let text = app.get(&path).await.text().await.unwrap_or_default();
        assert!(
            text.len() <= PAGE_BYTES + 50_000,
            "a page of {} bytes",
            text.len()
        );
        let page: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        for change in page["items"].as_array().into_iter().flatten() {
            if change["resource"] == "statement" {
                seen.insert(change["id"].as_str().unwrap_or_default().to_owned());
            }
        }
        after = page["next_cursor"].as_str().map(str::to_owned);
        pages += 1;
    }
    assert_eq!(seen, ids);
    assert!(pages >= 2);
}
