use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

async fn post_with_key(
    app: &TestApp,
    token: &str,
    key: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    app.request(Method::POST, "/v1/actors")
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn an_idempotent_replay_returns_the_stored_response_and_creates_one_row() {
    let app = spawn_app().await;
    let body = json!({"kind": "state", "name": "Kazakhstan"});
    let first = post_with_key(&app, &app.write_token, "key-1", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let (location, etag) = (header(&first, "location"), header(&first, "etag"));
    let first_body = json(first).await;
    for _ in 0..3 {
        let replay = post_with_key(&app, &app.write_token, "key-1", &body).await;
        assert_eq!(replay.status(), StatusCode::CREATED);
        assert_eq!(
            header(&replay, "idempotent-replayed").as_deref(),
            Some("true")
        );
        assert_eq!(header(&replay, "location"), location);
        assert_eq!(header(&replay, "etag"), etag);
        assert_eq!(json(replay).await, first_body);
    }
    assert_eq!(app.count("actors").await, 1);
    // The same body with the same key counts the same even when the JSON is spelled differently.
    let respelled = app
        .request(Method::POST, "/v1/actors")
        .bearer_auth(&app.write_token)
        .header("Idempotency-Key", "key-1")
        .header("Content-Type", "application/json")
        .body("{ \"name\" : \"Kazakhstan\", \"kind\":\"state\" }")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(respelled.status(), StatusCode::CREATED);
    assert_eq!(app.count("actors").await, 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422() {
    let app = spawn_app().await;
    assert_eq!(
        post_with_key(
            &app,
            &app.write_token,
            "k",
            &json!({"kind": "state", "name": "A"})
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    let problem = problem(
        post_with_key(
            &app,
            &app.write_token,
            "k",
            &json!({"kind": "state", "name": "B"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["#/header/Idempotency-Key"]);
    assert_eq!(app.count("actors").await, 1);
}

#[tokio::test]
async fn keys_are_scoped_by_token() {
    let app = spawn_app().await;
    let other = app
        .create_token("other-writer", chancery::auth::Scope::Write)
        .await;
    assert_eq!(
        post_with_key(
            &app,
            &app.write_token,
            "shared",
            &json!({"kind": "state", "name": "A"})
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        post_with_key(
            &app,
            &other,
            "shared",
            &json!({"kind": "state", "name": "B"})
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    assert_eq!(app.count("actors").await, 2);
}

#[tokio::test]
async fn a_replay_while_the_first_is_in_flight_is_409() {
    let app = spawn_app().await;
    let token_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = 'writer'")
            .fetch_one(&app.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    // Hold the key the way an in-flight request does: claimed in an open transaction.
    let mut tx = app.pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let claimed =
        chancery::store::idempotency::claim(&mut tx, token_id, "busy", b"fingerprint").await;
    assert!(claimed.is_ok());
    let response = post_with_key(
        &app,
        &app.write_token,
        "busy",
        &json!({"kind": "state", "name": "A"}),
    )
    .await;
    problem(response, StatusCode::CONFLICT).await;
    tx.rollback().await.unwrap_or_else(|e| panic!("{e}"));
    // Once the first is over (here: rolled back, nothing stored), the key is usable.
    let response = post_with_key(
        &app,
        &app.write_token,
        "busy",
        &json!({"kind": "state", "name": "A"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_create_one_row() {
    let app = spawn_app().await;
    let body = json!({"kind": "state", "name": "Kazakhstan"});
    let requests = (0..8).map(|_| post_with_key(&app, &app.write_token, "race", &body));
    let statuses: Vec<u16> = futures_util::future::join_all(requests)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    assert!(statuses.contains(&201));
    assert_eq!(app.count("actors").await, 1);
}

#[tokio::test]
async fn expired_keys_are_forgotten() {
    let app = spawn_app().await;
    let body = json!({"kind": "state", "name": "A"});
    assert_eq!(
        post_with_key(&app, &app.write_token, "old", &body)
            .await
            .status(),
        StatusCode::CREATED
    );
    sqlx::query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
        .execute(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // After expiry the key starts afresh: the same body creates again (and so conflicts on the slug).
    problem(
        post_with_key(&app, &app.write_token, "old", &body).await,
        StatusCode::CONFLICT,
    )
    .await;
    // The periodic purge removes what has expired.
    assert_eq!(
        chancery::store::idempotency::purge_expired(&app.pool)
            .await
            .unwrap_or(0),
        1
    );
    assert_eq!(app.count("idempotency_keys").await, 0);
}

#[tokio::test]
async fn malformed_keys_are_400() {
    let app = spawn_app().await;
    let body = json!({"kind": "state", "name": "A"});
    for key in ["", &"k".repeat(256), "with space"] {
        let problem = problem(
            post_with_key(&app, &app.write_token, key, &body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(pointers(&problem), vec!["#/header/Idempotency-Key"]);
    }
    assert_eq!(app.count("actors").await, 0);
}
