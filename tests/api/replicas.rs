//! Reads from a streaming replica, with read-your-writes through `Chancery-Consistency`.
//! The replica is real (`pg_basebackup -R` of the test server); lag is made by pausing its
//! replay, not hoped for.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};

use crate::helpers::{Cluster, TestApp, json, spawn_app_on, spawn_app_with};

/// Reads served by each pool so far, from `/metrics`.
async fn reads(app: &TestApp, pool: &str) -> u64 {
    app.metric(&format!("db_reads_total{{pool=\"{pool}\"}}"))
        .await
        .unwrap_or(0)
}

async fn replica_connection(app: &TestApp) -> PgConnection {
    PgConnection::connect(&app.read_database_url)
        .await
        .unwrap_or_else(|e| panic!("connecting to the replica: {e}"))
}

/// Pauses or resumes the replica's replay of the primary's log.
async fn replay(replica: &mut PgConnection, on: bool) {
    let call = if on {
        "pg_wal_replay_resume"
    } else {
        "pg_wal_replay_pause"
    };
    sqlx::query(&format!("SELECT {call}()"))
        .execute(replica)
        .await
        .unwrap_or_else(|e| panic!("{call}: {e}"));
}

/// Waits until the replica has the app's database and has replayed everything so far.
async fn caught_up(app: &TestApp) {
    let mut primary = PgConnection::connect(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let target: String = sqlx::query_scalar("SELECT pg_current_wal_insert_lsn()::text")
        .fetch_one(&mut primary)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut replayed: Option<String> = None;
    for _ in 0..200 {
        if let Ok(mut replica) = PgConnection::connect(&app.read_database_url).await {
            replayed = sqlx::query_scalar("SELECT pg_last_wal_replay_lsn()::text")
                .fetch_one(&mut replica)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let done: bool =
                sqlx::query_scalar("SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn")
                    .bind(&target)
                    .fetch_one(&mut replica)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            if done {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the replica did not catch up within 10 s: at {replayed:?}, not {target}");
}

async fn create_actor(app: &TestApp, slug: &str) -> (String, String) {
    let response = app
        .post_json(
            "/v1/actors",
            &json!({"kind": "state", "name": slug, "slug": slug}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let token = response
        .headers()
        .get("Chancery-Consistency")
        .unwrap_or_else(|| panic!("a write response without Chancery-Consistency"))
        .to_str()
        .unwrap_or_else(|e| panic!("{e}"))
        .to_owned();
    let id = json(response).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (id, token)
}

async fn get_with(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = app.request(Method::GET, path);
    if let Some(token) = token {
        request = request.header("Chancery-Consistency", token);
    }
    request.send().await.unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn reads_go_to_the_replica_and_writes_to_the_primary() {
    let cluster = Cluster::start().await;
    let app = spawn_app_on(&cluster).await;
    caught_up(&app).await;
    let (id, token) = create_actor(&app, "replicated").await;
    let before = (reads(&app, "primary").await, reads(&app, "replica1").await);
    let response = get_with(&app, &format!("/v1/actors/{id}"), Some(&token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(response).await["slug"], "replicated");
    let listed = json(get_with(&app, "/v1/actors?q=replicated", Some(&token)).await).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    let after = (reads(&app, "primary").await, reads(&app, "replica1").await);
    assert_eq!(after.1 - before.1, 2, "both reads from the replica");
    assert_eq!(after.0, before.0, "no read from the primary");

    // Reads answer no token; every kind of write does.
    let response = get_with(&app, &format!("/v1/actors/{id}"), None).await;
    assert!(response.headers().get("Chancery-Consistency").is_none());
    let etag = response.headers()["etag"].clone();
    let patched = app
        .request(Method::PATCH, &format!("/v1/actors/{id}"))
        .bearer_auth(&app.write_token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .body(json!({"description": "A test state."}).to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(patched.status(), StatusCode::OK);
    let later = patched.headers()["chancery-consistency"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(wal(&later) > wal(&token), "{later} is not after {token}");
}

fn wal(text: &str) -> u64 {
    assert_eq!(text.len(), 16, "{text}");
    u64::from_str_radix(text, 16).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[tokio::test]
async fn a_token_is_never_read_from_a_replica_behind_it() {
    let cluster = Cluster::start().await;
    let app = spawn_app_on(&cluster).await;
    caught_up(&app).await;
    let mut replica = replica_connection(&app).await;
    replay(&mut replica, false).await;
    let (id, token) = create_actor(&app, "written-while-paused").await;
    let path = format!("/v1/actors/{id}");

    let primary_before = reads(&app, "primary").await;
    let with_token = get_with(&app, &path, Some(&token)).await;
    let with_token = (with_token.status(), json(with_token).await);
    let primary_after = reads(&app, "primary").await;
    // Without the token the replica answers, as it stands: the actor is not there yet.
    let without = get_with(&app, &path, None).await.status();

    replay(&mut replica, true).await;
    assert_eq!(with_token.0, StatusCode::OK, "{}", with_token.1);
    assert_eq!(with_token.1["slug"], "written-while-paused");
    assert_eq!(
        primary_after - primary_before,
        1,
        "the primary served it, after the bounded wait"
    );
    assert_eq!(without, StatusCode::NOT_FOUND);

    // Once the replica has replayed past the token, it serves the read again.
    let replica_before = reads(&app, "replica1").await;
    let response = get_with(&app, &path, Some(&token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(reads(&app, "replica1").await - replica_before, 1);
}

#[tokio::test]
async fn readiness_reports_each_pool() {
    let cluster = Cluster::start().await;
    let app = spawn_app_on(&cluster).await;
    caught_up(&app).await;
    let health = json(app.get("/readyz").await).await;
    assert_eq!(health["status"], "ok");
    let pools = health["pools"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = pools.iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["primary", "replica1"]);
    for pool in &pools {
        assert_eq!(pool["status"], "ok", "{pool}");
        assert!(pool["wal_position"].as_str().is_some_and(|p| wal(p) > 0));
    }
}

#[tokio::test]
async fn a_replica_that_is_down_costs_reads_nothing() {
    // Nothing listens on port 1: every read falls back to the primary, without an error.
    let app = spawn_app_with(|settings| {
        settings.database_read_urls = vec!["postgres://postgres@127.0.0.1:1/none".into()];
    })
    .await;
    let (id, token) = create_actor(&app, "despite-the-replica").await;
    for token in [None, Some(token.as_str())] {
        let response = get_with(&app, &format!("/v1/actors/{id}"), token).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(
        get_with(&app, "/v1/actors", None).await.status(),
        StatusCode::OK
    );
    assert_eq!(reads(&app, "replica1").await, 0);
    assert!(reads(&app, "primary").await >= 3);

    let ready = app.get("/readyz").await;
    assert_eq!(
        ready.status(),
        StatusCode::OK,
        "a replica down leaves the service ready"
    );
    let health: Value = json(ready).await;
    assert_eq!(health["pools"][1]["name"], "replica1");
    assert_eq!(health["pools"][1]["status"], "unavailable");
    assert!(health["pools"][1]["reason"].as_str().is_some());
    assert!(
        !health.to_string().contains("127.0.0.1:1"),
        "readiness names pools, never their URLs"
    );
}

#[tokio::test]
async fn a_malformed_token_is_a_400_on_any_read() {
    let app = spawn_app_with(|_| {}).await;
    for path in [
        "/v1/actors",
        "/v1/changes",
        "/v1/actors/kazakhstan/revisions",
    ] {
        let response = get_with(&app, path, Some("16/B374D848")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let problem = json(response).await;
        assert_eq!(
            problem["errors"][0]["pointer"], "#/header/Chancery-Consistency",
            "{problem}"
        );
    }
    // Without replicas a token a write gave is met by the primary.
    let (_, token) = create_actor(&app, "met-by-the-primary").await;
    let response = get_with(&app, "/v1/actors", Some(&token)).await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// A token beyond the primary's log is one no write gave: refused at once, with or without
/// replicas, rather than waited for.
#[tokio::test]
async fn a_token_beyond_the_primary_is_a_422() {
    let cluster = Cluster::start().await;
    let replicated = spawn_app_on(&cluster).await;
    let alone = spawn_app_with(|_| {}).await;
    for app in [&replicated, &alone] {
        let (id, token) = create_actor(app, "ahead").await;
        let beyond = format!("{:016X}", wal(&token) + (1 << 40));
        for (path, token) in [
            (format!("/v1/actors/{id}"), "FFFFFFFFFFFFFFFF"),
            ("/v1/actors".to_owned(), beyond.as_str()),
            ("/v1/changes".to_owned(), "FFFFFFFFFFFFFFFF"),
        ] {
            let response = get_with(app, &path, Some(token)).await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {token}"
            );
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json"
            );
            let problem = json(response).await;
            assert_eq!(
                problem["errors"][0]["pointer"], "#/header/Chancery-Consistency",
                "{problem}"
            );
            assert!(
                problem["errors"][0]["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("beyond")),
                "{problem}"
            );
        }
        // The write's own token is still met.
        let response = get_with(app, &format!("/v1/actors/{id}"), Some(&token)).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
}

/// Reads waiting for a lagging replica hold none of its connections: more of them than its
/// pool has connections all wait, none is sent to the primary, the replica is not taken
/// for down, and a read without a token is served by it meanwhile.
#[tokio::test]
async fn reads_waiting_for_a_replica_hold_no_connection() {
    let cluster = Cluster::start().await;
    let app = spawn_app_with(|settings| {
        settings.database_url = cluster.primary_url.clone();
        settings.database_read_urls = vec![cluster.replica_url.clone()];
        settings.pool_max_connections = 2;
        // Long enough for anything below to happen while they wait; bounded all the same.
        settings.read_wait = std::time::Duration::from_secs(30);
    })
    .await;
    caught_up(&app).await;
    let mut replica = replica_connection(&app).await;
    replay(&mut replica, false).await;
    let (id, token) = create_actor(&app, "waited-for").await;
    let path = format!("/v1/actors/{id}");
    let primary_before = reads(&app, "primary").await;
    let replica_before = reads(&app, "replica1").await;

    let waiting: Vec<_> = (0..6)
        .map(|_| {
            let request = app
                .request(Method::GET, &path)
                .header("Chancery-Consistency", &token);
            tokio::spawn(async move { request.send().await })
        })
        .collect();
    // Past the replica pool's acquire timeout (half a second): a read that waited holding a
    // connection would have made the others give up on the replica by now.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let meanwhile = get_with(&app, &path, None).await.status();
    let served_meanwhile = reads(&app, "replica1").await - replica_before;
    replay(&mut replica, true).await;

    let mut answers = Vec::new();
    for request in waiting {
        let response = request
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        answers.push((response.status(), json(response).await["slug"].clone()));
    }
    assert_eq!(
        meanwhile,
        StatusCode::NOT_FOUND,
        "the replica, as it stands"
    );
    assert_eq!(served_meanwhile, 1, "the replica served the plain read");
    for (status, slug) in &answers {
        assert_eq!(
            (*status, slug.as_str()),
            (StatusCode::OK, Some("waited-for"))
        );
    }
    assert_eq!(reads(&app, "replica1").await - replica_before, 7);
    assert_eq!(
        reads(&app, "primary").await,
        primary_before,
        "none fell back"
    );
}

#[tokio::test]
async fn with_the_primary_down_a_replica_still_serves_reads() {
    // A database with an actor, replicated; then an app whose primary is unreachable.
    let cluster = Cluster::start().await;
    let writer = spawn_app_on(&cluster).await;
    let (id, _) = create_actor(&writer, "still-readable").await;
    caught_up(&writer).await;
    let replica = writer.read_database_url.clone();
    let app = spawn_app_with(|settings| {
        settings.database_url = "postgres://postgres@127.0.0.1:1/gone".into();
        settings.database_read_urls = vec![replica];
        settings.migrate = false;
    })
    .await;

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK, "still in rotation");
    let health = json(ready).await;
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["pools"][0]["status"], "unavailable");
    assert_eq!(health["pools"][1]["status"], "ok");

    let read = get_with(&app, &format!("/v1/actors/{id}"), None).await;
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(json(read).await["slug"], "still-readable");

    let write = app
        .request(Method::POST, "/v1/actors")
        .bearer_auth(&writer.write_token)
        .json(&json!({"kind": "state", "name": "Nowhere"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(write.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(write.headers().contains_key("retry-after"));
    assert_eq!(write.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn a_feed_position_from_before_a_failover_is_gone() {
    // A cluster of its own: its replica is promoted.
    let cluster = Cluster::start().await;
    let replica_url = cluster.replica_url.clone();
    // Writes and reads on the primary: the replica is about to become another primary.
    let before =
        spawn_app_with(|settings| settings.database_url = cluster.primary_url.clone()).await;
    create_actor(&before, "before-the-failover").await;
    let page = json(before.get("/v1/changes").await).await;
    assert!(
        !page["items"].as_array().is_some_and(Vec::is_empty),
        "{page}"
    );
    let cursor = page["next_cursor"].as_str().unwrap_or_default().to_owned();

    // The replica has it all, then becomes the primary: a new timeline.
    let mut replica = PgConnection::connect(&replica_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..200 {
        let there: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM actors WHERE slug = 'before-the-failover')",
        )
        .fetch_one(&mut replica)
        .await
        .unwrap_or(false);
        if there {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sqlx::query("SELECT pg_promote(true, 60)")
        .execute(&mut replica)
        .await
        .unwrap_or_else(|e| panic!("promoting: {e}"));
    sqlx::query("CHECKPOINT")
        .execute(&mut replica)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let after = spawn_app_with(|settings| {
        settings.database_url = replica_url.clone();
        settings.migrate = false;
    })
    .await;

    let gone = after.get(&format!("/v1/changes?after={cursor}")).await;
    assert_eq!(gone.status(), StatusCode::GONE);
    let problem = json(gone).await;
    assert_eq!(problem["type"], "urn:chancery:problem:gone");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("timeline 1")
            && detail.contains("timeline 2")
            && detail.contains("from the start"),
        "{detail}"
    );
    // Read again from the start, the feed goes on from the new timeline's positions.
    let restart = json(after.get("/v1/changes").await).await;
    let next = restart["next_cursor"].as_str().unwrap_or_default();
    assert_eq!(
        after
            .get(&format!("/v1/changes?after={next}"))
            .await
            .status(),
        StatusCode::OK
    );
    // The old primary, still on its timeline, still takes its own positions.
    assert_eq!(
        before
            .get(&format!("/v1/changes?after={cursor}"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_feed_position_a_replica_has_not_replayed_is_served_by_the_primary() {
    let cluster = Cluster::start().await;
    let app = spawn_app_on(&cluster).await;
    caught_up(&app).await;
    let mut replica = replica_connection(&app).await;
    replay(&mut replica, false).await;
    let (_, token) = create_actor(&app, "while-paused").await;
    // With the write's token the feed waits for the replica, then the primary answers: the
    // change is there, with its position.
    let page = json(get_with(&app, "/v1/changes", Some(&token)).await).await;
    let position = page["next_cursor"].as_str().unwrap_or_default().to_owned();
    // That position, without a token, reaches the replica, which has not replayed it: it is
    // not refused as unknown; the primary goes on from it.
    let primary_before = reads(&app, "primary").await;
    let next = get_with(&app, &format!("/v1/changes?after={position}"), None).await;
    let next = (next.status(), json(next).await);
    let primary_after = reads(&app, "primary").await;
    replay(&mut replica, true).await;

    assert!(
        page["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|c| c["record"]["slug"] == "while-paused")),
        "{page}"
    );
    assert_eq!(next.0, StatusCode::OK, "{}", next.1);
    assert_eq!(next.1["items"], json!([]));
    assert!(primary_after > primary_before, "the primary answered");
}

#[tokio::test]
async fn the_feed_from_a_replica_waits_for_a_transaction_still_open_on_the_primary() {
    let cluster = Cluster::start().await;
    let app = spawn_app_on(&cluster).await;
    caught_up(&app).await;
    let start = json(app.get("/v1/changes").await).await;
    let cursor = start["next_cursor"].as_str().unwrap_or_default().to_owned();

    // A writer that began first and has not committed: its change will sort first.
    let mut open = PgConnection::connect(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("BEGIN")
        .execute(&mut open)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query(
        "INSERT INTO changes (resource, record_id, operation, version, changed_by, data)
         VALUES ('actor', gen_random_uuid(), 'create', 1, 'slow', '{\"slug\": \"slow-writer\"}')",
    )
    .execute(&mut open)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    create_actor(&app, "quick-writer").await;
    caught_up(&app).await;
    let slugs = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|c| c["record"]["slug"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let replica_before = reads(&app, "replica1").await;
    let meanwhile = json(app.get(&format!("/v1/changes?after={cursor}")).await).await;
    assert!(
        reads(&app, "replica1").await > replica_before,
        "the replica answered"
    );
    assert_eq!(
        slugs(&meanwhile),
        Vec::<String>::new(),
        "the later commit waits for the open transaction"
    );

    sqlx::query("COMMIT")
        .execute(&mut open)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    caught_up(&app).await;
    let after = json(app.get(&format!("/v1/changes?after={cursor}")).await).await;
    assert_eq!(slugs(&after), ["slow-writer", "quick-writer"], "{after}");
}
