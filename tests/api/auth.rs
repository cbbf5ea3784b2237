//! Every write needs a `write` token; reads are open unless the service requires `read`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

/// Every documented operation that is not a read, with its path filled in. Resolving many
/// names is a POST (a body of up to 1,000 names) that reads.
fn write_operations(actor: &str, role: &str) -> Vec<(Method, String)> {
    let document = chancery::api::openapi();
    let mut operations = Vec::new();
    for (path, item) in &document.paths.paths {
        if path == "/v1/resolve" {
            continue;
        }
        // Authorization comes before any lookup, so ids that exist nowhere do as well.
        let path = path
            .replace("{actor}", actor)
            .replace("{role_id}", role)
            .replace("{visit_id}", &uuid::Uuid::now_v7().to_string())
            .replace("{statement_id}", &uuid::Uuid::now_v7().to_string())
            .replace("{citation_id}", &uuid::Uuid::now_v7().to_string());
        for (method, present) in [
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
        ] {
            if present {
                operations.push((method, path.clone()));
            }
        }
    }
    operations
}

#[tokio::test]
async fn every_write_route_answers_401_without_a_token_and_403_with_a_read_token() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    let role = app
        .create_role(
            "kassym-jomart-tokayev",
            json!({"of_actor_id": kz["id"], "title": "President"}),
        )
        .await;
    let operations = write_operations("kassym-jomart-tokayev", &uuid_of(&role));
    assert!(operations.len() >= 15, "{operations:?}");
    let body =
        json!({"kind": "state", "name": "X", "title": "X", "of_actor_id": kz["id"]}).to_string();
    for (method, path) in operations {
        let response = app
            .request(method.clone(), &path)
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            header(&response, "www-authenticate").is_some_and(|h| h.starts_with("Bearer")),
            "{method} {path}"
        );
        problem(response, StatusCode::UNAUTHORIZED).await;

        let response = app
            .request(method.clone(), &path)
            .bearer_auth(&app.read_token)
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            header(&response, "www-authenticate").is_some_and(|h| h.contains("insufficient_scope")),
            "{method} {path}"
        );
        problem(response, StatusCode::FORBIDDEN).await;
    }
    assert_eq!(app.count("actors").await, 3);
    assert_eq!(app.count("roles").await, 1);
}

#[tokio::test]
async fn bad_tokens_are_401_with_invalid_token() {
    let app = spawn_app().await;
    let body = json!({"kind": "state", "name": "X"});
    let revoked = app
        .create_token("leaver", chancery::auth::Scope::Write)
        .await;
    assert!(
        chancery::store::tokens::revoke(&app.pool, "leaver")
            .await
            .unwrap_or(false)
    );
    // The same token with its last character changed.
    let last = if app.write_token.ends_with('0') {
        "1"
    } else {
        "0"
    };
    let tampered = format!("{}{last}", &app.write_token[..app.write_token.len() - 1]);
    for authorization in [
        format!("Bearer {revoked}"),
        format!("Bearer {tampered}"),
        "Bearer nonsense".to_owned(),
        format!("Basic {}", app.write_token),
        "Bearer".to_owned(),
    ] {
        let response = app
            .request(Method::POST, "/v1/actors")
            .header("Authorization", authorization.clone())
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            header(&response, "www-authenticate").is_some_and(|h| h.contains("invalid_token")),
            "{authorization}"
        );
        problem(response, StatusCode::UNAUTHORIZED).await;
    }
    // Admin includes write.
    let response = app
        .request(Method::POST, "/v1/actors")
        .bearer_auth(&app.admin_token)
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn reads_are_open_by_default_but_a_bad_token_is_still_refused() {
    let app = spawn_app().await;
    assert_eq!(app.get("/v1/actors").await.status(), StatusCode::OK);
    let response = app
        .request(Method::GET, "/v1/actors")
        .bearer_auth("chy_wrong")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    problem(response, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn require_read_token_closes_reads_to_anonymous_callers() {
    let app = spawn_app_with(|s| s.require_read_token = true).await;
    let response = app.get("/v1/actors").await;
    assert!(header(&response, "www-authenticate").is_some());
    problem(response, StatusCode::UNAUTHORIZED).await;
    for token in [&app.read_token, &app.write_token, &app.admin_token] {
        let response = app.get_as("/v1/actors", token).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    // Operational endpoints stay open for probes.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    let rows: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT lookup, secret_sha256 FROM api_tokens")
            .fetch_all(&app.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    for token in [&app.write_token, &app.read_token, &app.admin_token] {
        let (_, secret) = chancery::auth::split(token).unwrap_or_default();
        for (lookup, hash) in &rows {
            assert!(!lookup.contains(secret));
            assert_ne!(hash.as_slice(), secret.as_bytes());
        }
    }
}
