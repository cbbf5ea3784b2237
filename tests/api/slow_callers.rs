//! Callers that send slowly: they are cut off in bounded time and hold nothing others need.

use std::time::Duration;

use bytes::Bytes;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::helpers::*;

type Sender = mpsc::Sender<Result<Bytes, std::io::Error>>;

/// Starts a chunked import whose body the test feeds through the returned sender.
fn start_import(app: &TestApp) -> (Sender, tokio::task::JoinHandle<reqwest::Response>) {
    let (sender, receiver) = mpsc::channel(4);
    let request = app
        .request(Method::POST, "/v1/import")
        .bearer_auth(&app.write_token)
        .header("Content-Type", "application/x-ndjson")
        .body(reqwest::Body::wrap_stream(ReceiverStream::new(receiver)));
    let response =
        tokio::spawn(async move { request.send().await.unwrap_or_else(|e| panic!("{e}")) });
    (sender, response)
}

fn citation_line(n: usize) -> Bytes {
    Bytes::from(format!(
        "{{\"type\": \"citation\", \"source\": \"Trickle {n}\"}}\n"
    ))
}

/// Sends a line every `every` until the receiver is gone.
fn trickle(sender: Sender, every: Duration) {
    tokio::spawn(async move {
        for n in 0.. {
            if sender.send(Ok(citation_line(n))).await.is_err() {
                return;
            }
            tokio::time::sleep(every).await;
        }
    });
}

#[tokio::test]
async fn trickling_imports_leave_reads_readiness_and_the_feed_unaffected() {
    // More trickling imports than the pool has connections: each used to hold one, with an
    // open transaction, so every other request waited 2 s and got 503.
    let app = spawn_app_with(|s| {
        s.pool_max_connections = 4;
        s.max_concurrent_imports = 16;
    })
    .await;
    let mut senders = Vec::new();
    let mut responses = Vec::new();
    for _ in 0..16 {
        let (sender, response) = start_import(&app);
        trickle(sender.clone(), Duration::from_millis(500));
        senders.push(sender);
        responses.push(response);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;

    for path in ["/v1/actors", "/v1/citations", "/readyz", "/healthz"] {
        assert_eq!(app.get(path).await.status(), StatusCode::OK, "{path}");
    }
    let actor = app
        .create_actor(json!({"kind": "state", "name": "Kazakhstan"}))
        .await;
    // The feed's horizon no longer waits for the importers' transactions: there are none.
    let feed = json(app.get("/v1/changes?limit=100&wait=5").await).await;
    let ids: Vec<&str> = feed["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|c| c["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        ids.contains(&uuid_of(&actor).as_str()),
        "the new actor is not in the feed: {feed}"
    );
    drop(senders);
    for response in responses {
        response.abort();
    }
}

#[tokio::test]
async fn a_stalled_body_gets_408_and_the_connection_is_closed() {
    let app = spawn_app_with(|s| s.body_idle_timeout = Duration::from_secs(1)).await;
    let (sender, response) = start_import(&app);
    sender
        .send(Ok(citation_line(0)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let response = response.await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        response.headers().get("connection").map(|v| v.as_bytes()),
        Some(&b"close"[..])
    );
    let body = problem(response, StatusCode::REQUEST_TIMEOUT).await;
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains("1 s")),
        "{body}"
    );
    drop(sender);
    assert_eq!(app.count("citations").await, 0);

    // An ordinary JSON body is held to the same idle deadline.
    let (sender, receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(1);
    sender
        .send(Ok(Bytes::from_static(b"{\"kind\": ")))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let response = app
        .request(Method::POST, "/v1/actors")
        .bearer_auth(&app.write_token)
        .header("Content-Type", "application/json")
        .body(reqwest::Body::wrap_stream(ReceiverStream::new(receiver)))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    problem(response, StatusCode::REQUEST_TIMEOUT).await;
}

#[tokio::test]
async fn a_body_that_keeps_trickling_meets_the_total_deadline() {
    let app = spawn_app_with(|s| s.import_body_timeout = Duration::from_secs(2)).await;
    let (sender, response) = start_import(&app);
    trickle(sender, Duration::from_millis(200));
    let started = std::time::Instant::now();
    let response = response.await.unwrap_or_else(|e| panic!("{e}"));
    let body = problem(response, StatusCode::REQUEST_TIMEOUT).await;
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains("2 s")),
        "{body}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(app.count("citations").await, 0);
}

#[tokio::test]
async fn imports_beyond_the_limit_get_429_with_retry_after() {
    let app = spawn_app_with(|s| s.max_concurrent_imports = 1).await;
    let (sender, first) = start_import(&app);
    trickle(sender, Duration::from_millis(200));
    tokio::time::sleep(Duration::from_millis(500)).await;

    let second = app
        .import("{\"type\": \"citation\", \"source\": \"Second\"}\n")
        .await;
    assert!(second.headers().contains_key("retry-after"));
    problem(second, StatusCode::TOO_MANY_REQUESTS).await;
    first.abort();
}

#[tokio::test]
async fn an_import_larger_than_the_limit_gets_413() {
    let app = spawn_app_with(|s| s.import_max_bytes = 1000).await;
    let body: String = (0..40)
        .map(|n| format!("{{\"type\": \"citation\", \"source\": \"Source {n}\"}}\n"))
        .collect();
    let response = app.import(body).await;
    problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(app.count("citations").await, 0);
}

#[tokio::test]
async fn sessions_cannot_idle_inside_a_transaction() {
    let app = spawn_app_with(|s| s.idle_in_transaction_timeout = Duration::from_secs(1)).await;
    let setting: String = sqlx::query_scalar("SHOW idle_in_transaction_session_timeout")
        .fetch_one(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(setting, "1s");
    let mut tx = app.pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("SELECT 1")
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(sqlx::query("SELECT 1").execute(&mut *tx).await.is_err());
}
