//! The change feed and revision history.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

async fn read_feed(app: &TestApp, after: Option<&str>, extra: &str) -> Value {
    let path = match after {
        Some(after) => format!("/v1/changes?after={after}{extra}"),
        None => format!("/v1/changes?{}", extra.trim_start_matches('&')),
    };
    let response = app.get(&path).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

/// Reads the feed from `after` until it has at least `count` changes (or 20 s pass). The feed
/// holds back changes while any older transaction in the cluster is still running, such as
/// another test's, so a test waits for what it wrote rather than expecting it at once.
async fn read_until(app: &TestApp, after: Option<&str>, count: usize) -> (Vec<Value>, String) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut items: Vec<Value> = Vec::new();
    let mut cursor = after.map(str::to_owned);
    while items.len() < count && std::time::Instant::now() < deadline {
        let page = read_feed(app, cursor.as_deref(), "&limit=500&wait=2").await;
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    (items, cursor.unwrap_or_default())
}

#[tokio::test]
async fn the_feed_shows_creates_updates_and_deletes_in_order_with_tombstones() {
    let app = spawn_app().await;
    let actor = app
        .create_actor(json!({"kind": "state", "name": "Kazakhstan"}))
        .await;
    let path = format!("/v1/actors/{}", uuid_of(&actor));
    app.patch_json(&path, &json!({"description": "Central Asia"}))
        .await;
    assert_eq!(app.delete(&path).await.status(), StatusCode::NO_CONTENT);

    let (items, cursor) = read_until(&app, None, 3).await;
    let summary: Vec<(String, i64)> = items
        .iter()
        .map(|c| {
            (
                c["operation"].as_str().unwrap_or("").to_owned(),
                c["version"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("create".to_owned(), 1),
            ("update".to_owned(), 2),
            ("delete".to_owned(), 3)
        ]
    );
    assert!(items.iter().all(|c| c["resource"] == "actor"
        && c["id"] == actor["id"]
        && c["changed_by"] == "writer"));
    assert_eq!(items[0]["record"], actor);
    assert_eq!(items[1]["record"]["description"], "Central Asia");
    assert!(items[2].get("record").is_none(), "a delete is a tombstone");

    // Reading on from the end: nothing new, and the same place to continue from.
    assert_eq!(cursor, items[2]["cursor"].as_str().unwrap_or_default());
    let empty = read_feed(&app, Some(&cursor), "").await;
    assert_eq!(empty["items"], json!([]));
    assert_eq!(empty["next_cursor"], cursor.as_str());
    // And from the middle.
    let rest = read_feed(&app, items[0]["cursor"].as_str(), "&limit=1").await;
    assert_eq!(rest["items"][0]["operation"], "update");
    problem(
        app.get("/v1/changes?after=nonsense").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    // Well formed but made up (here, the documentation's example): not a position this feed
    // issued, so a 400 rather than "nothing new" for ever.
    let made_up = problem(
        app.get("/v1/changes?after=MTIzNDU6Njc").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(made_up["errors"][0]["pointer"], "#/query/after");
    // The start is a position too.
    assert_eq!(
        app.get("/v1/changes?after=MDow").await.status(),
        StatusCode::OK
    );
    problem(
        app.get("/v1/changes?wait=31").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn a_roles_change_is_also_an_update_of_its_holder() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    let (_, start) = read_until(&app, None, 3).await;
    let role = app
        .create_role(
            "kassym-jomart-tokayev",
            json!({"of_actor_id": kz["id"], "title": "President"}),
        )
        .await;
    let (items, _) = read_until(&app, Some(&start), 2).await;
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0]["resource"].as_str(), items[0]["id"].as_str()),
        (Some("role"), role["id"].as_str())
    );
    assert_eq!(items[1]["resource"], "actor");
    assert_eq!(items[1]["operation"], "update");
    assert_eq!(items[1]["version"], 2);
    assert_eq!(items[1]["record"]["roles"][0]["id"], role["id"]);
}

#[tokio::test]
async fn a_long_poll_returns_as_soon_as_a_change_commits() {
    let app = spawn_app().await;
    let cursor = read_feed(&app, None, "").await["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let writer = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        app.create_actor(json!({"kind": "state", "name": "Kazakhstan"}))
            .await
    };
    let reader = async {
        let started = std::time::Instant::now();
        let page = read_feed(&app, Some(&cursor), "&wait=10").await;
        (page, started.elapsed())
    };
    let (actor, (page, waited)) = tokio::join!(writer, reader);
    assert_eq!(page["items"][0]["id"], actor["id"]);
    assert!(waited < Duration::from_secs(10), "{waited:?}");
}

/// Writers commit changes concurrently, some slowly (holding their transaction open after
/// writing), some rolling back; a reader follows the feed meanwhile. The reader must see
/// every committed change exactly once, never a rolled-back one, each record's versions in
/// order, and positions that only grow.
#[tokio::test]
async fn a_reader_following_the_feed_misses_nothing_while_writers_commit_concurrently() {
    use chancery::domain::Resource;
    use chancery::store::changes::{self, Operation};
    let app = spawn_app().await;
    const WRITERS: usize = 6;
    const PER_WRITER: usize = 40;

    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let pool = app.pool.clone();
        let done = done.clone();
        writers.push(tokio::spawn(async move {
            let mut committed = Vec::new();
            for i in 0..PER_WRITER {
                let id = uuid::Uuid::now_v7();
                let mut tx = pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
                let data = format!(r#"{{"writer": {w}, "i": {i}}}"#);
                changes::record(
                    &mut tx,
                    Resource::Citation,
                    id,
                    Operation::Create,
                    "test",
                    Some(data.as_bytes()),
                )
                .await
                .unwrap_or_else(|e| panic!("{e}"));
                // Some transactions stay open a while after taking their position.
                if (i + w) % 5 == 0 {
                    tokio::time::sleep(Duration::from_millis(25 + 7 * (i % 4) as u64)).await;
                }
                if (i * 7 + w) % 11 == 0 {
                    tx.rollback().await.unwrap_or_else(|e| panic!("{e}"));
                } else {
                    tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
                    committed.push(id);
                }
            }
            done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            committed
        }));
    }
    // Writes through the API go along too.
    let api_writer = async {
        let mut ids = Vec::new();
        for i in 0..15 {
            let actor = app
                .create_actor(json!({"kind": "other", "name": format!("Actor {i}")}))
                .await;
            ids.push(uuid_of(&actor));
        }
        ids
    };
    let reader = async {
        let mut seen: Vec<(String, i64, String)> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut drained_after_done = false;
        loop {
            let page = read_feed(&app, cursor.as_deref(), "&limit=17").await;
            let items = page["items"].as_array().cloned().unwrap_or_default();
            for item in &items {
                seen.push((
                    item["id"].as_str().unwrap_or("").to_owned(),
                    item["version"].as_i64().unwrap_or(0),
                    item["cursor"].as_str().unwrap_or("").to_owned(),
                ));
            }
            cursor = page["next_cursor"].as_str().map(str::to_owned);
            let all_done = done.load(std::sync::atomic::Ordering::SeqCst) == WRITERS;
            if items.is_empty() {
                if all_done && drained_after_done {
                    break;
                }
                drained_after_done = all_done;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        seen
    };
    let (seen, api_ids, committed) = tokio::join!(reader, api_writer, async {
        let mut all = Vec::new();
        for writer in writers {
            all.extend(writer.await.unwrap_or_default());
        }
        all
    });
    // What the reader has not seen yet (the API writer may finish last, and other tests'
    // transactions hold the feed back a moment) it reads now.
    let mut seen = seen;
    let expected_count = committed.len() + api_ids.len();
    if seen.len() < expected_count {
        let last = seen.last().map(|(_, _, c)| c.clone());
        let (rest, _) = read_until(&app, last.as_deref(), expected_count - seen.len()).await;
        for item in &rest {
            seen.push((
                item["id"].as_str().unwrap_or("").to_owned(),
                item["version"].as_i64().unwrap_or(0),
                item["cursor"].as_str().unwrap_or("").to_owned(),
            ));
        }
    }

    let seen_ids: Vec<&String> = seen.iter().map(|(id, _, _)| id).collect();
    let unique: HashSet<&String> = seen_ids.iter().copied().collect();
    assert_eq!(unique.len(), seen_ids.len(), "a change was delivered twice");
    let expected: HashSet<String> = committed
        .iter()
        .map(|id| id.to_string())
        .chain(api_ids)
        .collect();
    let got: HashSet<String> = seen_ids.into_iter().cloned().collect();
    let missing: Vec<&String> = expected.difference(&got).collect();
    let unexpected: Vec<&String> = got.difference(&expected).collect();
    assert!(
        missing.is_empty(),
        "missed {} changes: {missing:?}",
        missing.len()
    );
    assert!(
        unexpected.is_empty(),
        "saw changes that were never committed: {unexpected:?}"
    );
    assert!(
        committed.len() < WRITERS * PER_WRITER,
        "some transactions rolled back"
    );
    // Positions only grow. (Cursors are sealed: the log says where each change is.)
    let logged: HashMap<String, (String, i64)> = sqlx::query_as::<_, (uuid::Uuid, String, i64)>(
        "SELECT record_id, xid::text, id FROM changes",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .into_iter()
    .map(|(record, xid, id)| (record.to_string(), (xid, id)))
    .collect();
    let positions: Vec<(u64, i64)> = seen
        .iter()
        .map(|(record, _, _)| {
            let (xid, id) = &logged[record];
            (xid.parse().unwrap_or(0), *id)
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "positions went backwards"
    );
    let versions: HashMap<&String, i64> = seen.iter().map(|(id, v, _)| (id, *v)).collect();
    assert!(versions.values().all(|v| *v == 1));
}

#[tokio::test]
async fn revisions_show_every_version_what_changed_when_and_by_whom() {
    let app = spawn_app().await;
    let other = app
        .create_token("editor", chancery::auth::Scope::Write)
        .await;
    let actor = app
        .create_actor(json!({"kind": "state", "name": "Kazakhstan", "aliases": ["Qazaqstan"]}))
        .await;
    let path = format!("/v1/actors/{}", uuid_of(&actor));
    app.patch_json(&path, &json!({"description": "Central Asia"}))
        .await;
    let response = app
        .request(Method::PATCH, &path)
        .bearer_auth(&other)
        .json(&json!({"aliases": null, "description": "Central Asian state"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);

    let revisions = json(app.get("/v1/actors/kazakhstan/revisions").await).await;
    let items = revisions["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["version"], 1);
    assert_eq!(items[0]["operation"], "create");
    assert_eq!(items[0]["changes"], actor);
    assert_eq!(items[1]["changed_by"], "writer");
    let changed: Vec<&String> = items[1]["changes"]
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(changed, ["description", "updated_at"]);
    assert_eq!(items[2]["changed_by"], "editor");
    assert_eq!(items[2]["changes"]["aliases"], json!([]));
    assert_eq!(items[2]["changes"]["description"], "Central Asian state");

    // Deleted, its history stays readable by id.
    assert_eq!(app.delete(&path).await.status(), StatusCode::NO_CONTENT);
    let revisions = json(app.get(&format!("{path}/revisions?limit=2")).await).await;
    assert_eq!(revisions["items"].as_array().map(Vec::len), Some(2));
    let next = revisions["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let rest = json(
        app.get(&format!("{path}/revisions?limit=2&cursor={next}"))
            .await,
    )
    .await;
    assert_eq!(
        rest["items"][0]["changes"]["aliases"],
        json!([]),
        "a later page diffs against the page before"
    );
    assert_eq!(rest["items"][1]["operation"], "delete");
    assert!(rest["items"][1].get("record").is_none());
    problem(
        app.get("/v1/actors/kazakhstan/revisions").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(&format!(
            "/v1/statements/{}/revisions",
            uuid::Uuid::now_v7()
        ))
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn every_kind_of_record_has_revisions() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let role_id = record.pledge["on_behalf_of_role_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for path in [
        format!("/v1/statements/{}/revisions", uuid_of(&record.pledge)),
        format!("/v1/visits/{}/revisions", uuid_of(&record.visit)),
        format!("/v1/citations/{}/revisions", uuid_of(&record.article)),
        format!("/v1/actors/xi-jinping/roles/{role_id}/revisions"),
    ] {
        let page = json(app.get(&path).await).await;
        assert_eq!(page["items"][0]["operation"], "create", "{path}");
    }
}

#[tokio::test]
async fn the_demo_data_is_in_the_feed() {
    let app = spawn_app().await;
    chancery::seed::load_demo(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let (items, _) = read_until(&app, None, 56).await;
    let creates = items.iter().filter(|c| c["operation"] == "create").count();
    assert_eq!(creates, 12 + 19 + 8 + 7 + 7 + 3);
    assert!(items.iter().all(|c| c["changed_by"] == "seed"));
}

/// A long poll from `client` (through a trusted balancer at 127.0.0.1) after `cursor`.
fn long_poll(app: &TestApp, client: &str, cursor: &str) -> reqwest::RequestBuilder {
    app.request(Method::GET, &format!("/v1/changes?after={cursor}&wait=30"))
        .header("X-Forwarded-For", client)
}

/// Sends `count` long polls from `client` at once; returns the first `refused` answers to
/// come back (refusals come at once, the others wait for a change) and the channel on
/// which the rest will come.
async fn long_polls(
    app: &TestApp,
    client: &str,
    cursor: &str,
    count: usize,
    refused: usize,
) -> (Vec<StatusCode>, tokio::sync::mpsc::Receiver<StatusCode>) {
    let (send, mut answers) = tokio::sync::mpsc::channel(count);
    for _ in 0..count {
        let (request, send) = (long_poll(app, client, cursor), send.clone());
        tokio::spawn(async move {
            let status = request
                .send()
                .await
                .map_or(StatusCode::INTERNAL_SERVER_ERROR, |r| r.status());
            let _ = send.send(status).await;
        });
    }
    let mut first = Vec::new();
    while first.len() < refused {
        first.push(
            answers
                .recv()
                .await
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    (first, answers)
}

#[tokio::test]
async fn long_polls_are_bounded_per_address_and_per_process() {
    let app = spawn_app_with(|s| {
        s.rate_limits.long_polls_per_address = 2;
        s.rate_limits.long_polls = 3;
        s.rate_limits.trusted_proxies = "127.0.0.1".parse().unwrap_or_else(|e| panic!("{e}"));
    })
    .await;
    let cursor = read_feed(&app, None, "&limit=500").await["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // Two of five from one address wait; the others are refused at once.
    let (refused, mut a) = long_polls(&app, "192.0.2.1", &cursor, 5, 3).await;
    assert_eq!(refused, [StatusCode::TOO_MANY_REQUESTS; 3]);
    // One more may wait in the process, from another address.
    let (refused, mut b) = long_polls(&app, "192.0.2.2", &cursor, 3, 2).await;
    assert_eq!(refused, [StatusCode::TOO_MANY_REQUESTS; 2]);
    // Refused with a delay to retry after and the reason; a read that does not wait goes on.
    let refused = long_poll(&app, "192.0.2.3", &cursor)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(header(&refused, "retry-after").is_some());
    let body = problem(refused, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("long polls")),
        "{body}"
    );
    read_feed(&app, Some(&cursor), "").await;
    // A change answers the waiting polls, and their places are free again.
    app.create_actor(json!({"kind": "state", "name": "Kazakhstan"}))
        .await;
    for _ in 0..2 {
        assert_eq!(a.recv().await, Some(StatusCode::OK));
    }
    assert_eq!(b.recv().await, Some(StatusCode::OK));
    let cursor = read_until(&app, Some(&cursor), 1).await.1;
    let (refused, _) = long_polls(&app, "192.0.2.3", &cursor, 3, 1).await;
    assert_eq!(refused, [StatusCode::TOO_MANY_REQUESTS]);
}

/// The base64 under a cursor, as text (what a caller could read from it).
fn unwrapped(cursor: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

fn encoded(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

/// Flips one character in the middle of a cursor.
fn altered(cursor: &str) -> String {
    let mut chars: Vec<char> = cursor.chars().collect();
    let middle = chars.len() / 2;
    chars[middle] = if chars[middle] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// Feed cursors show neither the database's system identifier nor transaction numbers, and
/// one that names no real position — made up, altered, or on a timeline the database has
/// never been on — is a 400 that says so, never a 503.
#[tokio::test]
async fn feed_cursors_reveal_nothing_and_name_only_real_positions() {
    let app = spawn_app().await;
    let actor = app
        .create_actor(json!({"kind": "state", "name": "Kazakhstan"}))
        .await;
    let (items, cursor) = read_until(&app, None, 1).await;
    let (system, timeline): (i64, i32) = sqlx::query_as(
        "SELECT (SELECT system_identifier FROM pg_control_system()),
                (SELECT timeline_id FROM pg_control_checkpoint())",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let (xid, id): (String, i64) =
        sqlx::query_as("SELECT xid::text, id FROM changes WHERE record_id = $1::text::uuid")
            .bind(uuid_of(&actor))
            .fetch_one(&app.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    for shown in [cursor.clone()].iter().chain(
        items
            .iter()
            .filter_map(|c| c["cursor"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
            .iter(),
    ) {
        let text = unwrapped(shown);
        for hidden in [system.to_string(), xid.clone(), format!("{xid}:{id}")] {
            assert!(!text.contains(&hidden), "{shown} shows {hidden}: {text:?}");
        }
    }

    let refused = |problem: &Value, says: &str| {
        assert_eq!(
            problem["errors"][0]["pointer"], "#/query/after",
            "{problem}"
        );
        let detail = problem["errors"][0]["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(says), "{detail}");
    };
    // Altered by one character: not issued here.
    let response = app
        .get(&format!("/v1/changes?after={}", altered(&cursor)))
        .await;
    refused(
        &problem(response, StatusCode::BAD_REQUEST).await,
        "not a position",
    );
    // The earlier release's cursors are still taken, for a transition: sealed again.
    for earlier in [
        encoded(&format!("{xid}:{id}:{system}:{timeline}")),
        encoded(&format!("{xid}:{id}")),
    ] {
        let page = read_feed(&app, Some(&earlier), "").await;
        let next = page["next_cursor"].as_str().unwrap_or_default();
        assert_ne!(next, earlier);
        assert!(!unwrapped(next).contains(&xid), "{next}");
    }
}

/// A cursor (here in the earlier release's form) naming a real change on a timeline the
/// database has never been on is a 400 saying so: no server will ever take it, so a 503
/// (which a balancer retries) would be wrong.
#[tokio::test]
async fn a_feed_cursor_on_a_timeline_that_does_not_exist_is_a_400() {
    let app = spawn_app().await;
    let actor = app
        .create_actor(json!({"kind": "state", "name": "Kazakhstan"}))
        .await;
    read_until(&app, None, 1).await;
    let (system, timeline, xid, id): (i64, i32, String, i64) = sqlx::query_as(
        "SELECT (SELECT system_identifier FROM pg_control_system()),
                (SELECT timeline_id FROM pg_control_checkpoint()), xid::text, id
         FROM changes WHERE record_id = $1::text::uuid",
    )
    .bind(uuid_of(&actor))
    .fetch_one(&app.pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let nowhere = encoded(&format!("{xid}:{id}:{system}:{}", timeline + 7));
    let response = app.get(&format!("/v1/changes?after={nowhere}")).await;
    let problem = problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        problem["errors"][0]["pointer"], "#/query/after",
        "{problem}"
    );
    let detail = problem["errors"][0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(&format!("timeline {}", timeline + 7)),
        "{detail}"
    );
}

/// List and revision cursors are sealed too: they show neither the sort key nor the row
/// numbers, an altered one is a 400, and one of the earlier release is a 400 that says so.
#[tokio::test]
async fn list_cursors_reveal_nothing_and_are_refused_when_not_issued_here() {
    let app = spawn_app().await;
    let actor = app
        .create_actor(json!({"kind": "state", "name": "Kazakhstan"}))
        .await;
    app.create_actor(json!({"kind": "state", "name": "Kyrgyzstan"}))
        .await;
    let path = format!("/v1/actors/{}", uuid_of(&actor));
    for description in ["Central Asia", "Steppe"] {
        app.patch_json(&path, &json!({ "description": description }))
            .await;
    }
    let lists = [
        ("/v1/actors?limit=1".to_owned(), "Kazakhstan".to_owned()),
        (format!("{path}/revisions?limit=1"), "\"k\":".to_owned()),
    ];
    for (list, hidden) in lists {
        let page = json(app.get(&list).await).await;
        let cursor = page["next_cursor"].as_str().unwrap_or_default().to_owned();
        assert!(!cursor.is_empty(), "{list}: {page}");
        let text = unwrapped(&cursor);
        assert!(
            !text.contains(&hidden) && !text.contains(&uuid_of(&actor)),
            "{list}: {text:?}"
        );
        assert_eq!(
            app.get(&format!("{list}&cursor={cursor}")).await.status(),
            StatusCode::OK
        );
        let response = app
            .get(&format!("{list}&cursor={}", altered(&cursor)))
            .await;
        let refused = problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(
            refused["errors"][0]["pointer"], "#/query/cursor",
            "{refused}"
        );
    }
    // The earlier release's cursor for the same list: refused, saying why.
    let first = json(app.get("/v1/actors?limit=1").await).await;
    let filters = "0000000000000000";
    let earlier = encoded(&format!(
        r#"{{"k":["Kazakhstan","{}"],"f":"{filters}"}}"#,
        first["items"][0]["id"].as_str().unwrap_or_default()
    ));
    let response = app
        .get(&format!("/v1/actors?limit=1&cursor={earlier}"))
        .await;
    let refused = problem(response, StatusCode::BAD_REQUEST).await;
    let detail = refused["errors"][0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("earlier release"), "{refused}");
}
