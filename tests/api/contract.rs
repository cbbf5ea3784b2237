//! The cross-cutting HTTP contract: problem documents for every client error, request ids.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn unknown_routes_are_404_problems_with_instance_and_request_id() {
    let app = spawn_app().await;
    for path in [
        "/nothing",
        "/v1/actor",
        "/v1/actors/kazakhstan/visits",
        "/v1/actors/",
    ] {
        let response = app.get(path).await;
        let request_id = header(&response, "x-request-id").unwrap_or_default();
        let problem = problem(response, StatusCode::NOT_FOUND).await;
        assert_eq!(problem["instance"], path);
        assert_eq!(problem["request_id"], request_id.as_str());
    }
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        (Method::PUT, "/v1/actors", "GET, HEAD, POST"),
        (Method::DELETE, "/v1/actors", "GET, HEAD, POST"),
        (
            Method::PUT,
            "/v1/actors/kazakhstan",
            "GET, HEAD, PATCH, DELETE",
        ),
        (
            Method::POST,
            "/v1/actors/kazakhstan",
            "GET, HEAD, PATCH, DELETE",
        ),
        (
            Method::PATCH,
            "/v1/actors/kazakhstan/roles",
            "GET, HEAD, POST",
        ),
        (Method::POST, "/healthz", "GET, HEAD"),
    ] {
        let response = app
            .request(method.clone(), path)
            .bearer_auth(&app.write_token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            header(&response, "allow").as_deref(),
            Some(allow),
            "{method} {path}"
        );
        problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    }
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let app = spawn_app().await;
    let body = json!({"kind": "state", "name": "Kazakhstan"}).to_string();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/merge-patch+json"),
        None,
    ] {
        let mut request = app
            .request(Method::POST, "/v1/actors")
            .bearer_auth(&app.write_token)
            .body(body.clone());
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
        problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    }
    // Parameters on the media type are fine.
    let response = app
        .request(Method::POST, "/v1/actors")
        .bearer_auth(&app.write_token)
        .header("Content-Type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = spawn_app_with(|s| s.body_limit_bytes = 4096).await;
    let body = json!({"kind": "state", "name": "Big", "description": "x".repeat(5000)});
    problem(
        app.post_json("/v1/actors", &body).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    // Without a Content-Length (chunked), the limit still holds.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(body.to_string().into_bytes())];
    let stream = futures_util::stream::iter(chunks);
    let response = app
        .request(Method::POST, "/v1/actors")
        .bearer_auth(&app.write_token)
        .header("Content-Type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(app.count("actors").await, 0);
}

#[tokio::test]
async fn malformed_json_is_400_without_partial_writes() {
    let app = spawn_app().await;
    for body in [
        "{",
        "",
        "[]",
        "null",
        "\"x\"",
        "{\"kind\": \"state\", \"name\": \"A\"} {}",
        "{\"kind\": \"state\", \"name\": \"\\ud800\"}",
    ] {
        let response = app
            .request(Method::POST, "/v1/actors")
            .bearer_auth(&app.write_token)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        problem(response, StatusCode::BAD_REQUEST).await;
    }
    assert_eq!(app.count("actors").await, 0);
}

#[tokio::test]
async fn request_ids_are_adopted_or_generated_and_returned() {
    let app = spawn_app().await;
    let response = app
        .request(Method::GET, "/healthz")
        .header("x-request-id", "trace-123")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        header(&response, "x-request-id").as_deref(),
        Some("trace-123")
    );
    let generated = header(&app.get("/healthz").await, "x-request-id").unwrap_or_default();
    assert!(uuid::Uuid::try_parse(&generated).is_ok(), "{generated}");
    // An unusable one is replaced.
    let response = app
        .request(Method::GET, "/healthz")
        .header("x-request-id", "a b")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(header(&response, "x-request-id").as_deref(), Some("a b"));
}

#[tokio::test]
async fn head_is_answered_like_get_without_a_body() {
    let app = spawn_app().await;
    seed_actors(&app).await;
    for path in [
        "/v1/actors",
        "/v1/actors/kazakhstan",
        "/healthz",
        "/openapi.json",
        "/explore",
    ] {
        let get = app.get(path).await;
        let head = app
            .request(Method::HEAD, path)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_eq!(header(&head, "etag"), header(&get, "etag"), "HEAD {path}");
        assert_eq!(
            header(&head, "content-type"),
            header(&get, "content-type"),
            "HEAD {path}"
        );
        assert!(
            head.bytes().await.unwrap_or_default().is_empty(),
            "HEAD {path} has a body"
        );
    }
    let missing = app
        .request(Method::HEAD, "/v1/actors/atlantis")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_response_says_not_to_sniff_and_how_to_cache() {
    let app = spawn_app().await;
    seed_actors(&app).await;
    let read = app.get("/v1/actors/kazakhstan").await;
    assert_eq!(
        header(&read, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(
        header(&read, "cache-control").as_deref(),
        Some("private, no-cache")
    );
    let missing = app.get("/v1/actors/atlantis").await;
    assert_eq!(
        header(&missing, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(
        header(&missing, "cache-control").as_deref(),
        Some("no-store")
    );
    let created = app
        .post_json(
            "/v1/actors",
            &json!({"kind": "state", "name": "Kyrgyzstan"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        header(&created, "cache-control").as_deref(),
        Some("no-store")
    );
    let page = app.get("/explore").await;
    assert_eq!(
        header(&page, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_400_and_errors_name_no_internal_type() {
    let app = spawn_app().await;
    seed_actors(&app).await;
    for body in ["[]", "\"x\"", "1", "null", "[{\"description\": \"x\"}]"] {
        let response = app
            .request(Method::PATCH, "/v1/actors/kazakhstan")
            .bearer_auth(&app.write_token)
            .header("Content-Type", "application/merge-patch+json")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let refused = problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(pointers(&refused), ["#"], "{body}: {refused}");
        assert!(
            !refused.to_string().contains("ActorPatch"),
            "{body}: {refused}"
        );
    }
    let kazakhstan = json(app.get("/v1/actors/kazakhstan").await).await;
    assert!(
        kazakhstan.get("description").is_none(),
        "nothing was changed"
    );
    let typed = problem(
        app.post_json("/v1/visits", &json!({"visitor_ids": [], "host_id": kazakhstan["id"], "start": "2022",
                                              "kind": "official", "citations": [{"citation_id": 5}]}))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(!typed.to_string().contains("struct "), "{typed}");
}

#[tokio::test]
async fn every_operation_refuses_query_parameters_it_does_not_take() {
    let app = spawn_app().await;
    seed_actors(&app).await;
    for path in [
        "/v1/actors/kazakhstan?fields=name",
        "/v1/actors?sort=name",
        "/healthz?verbose=1",
        "/v1/actors/kazakhstan/engagement?from=2022&frm=2023",
    ] {
        let body = problem(app.get(path).await, StatusCode::BAD_REQUEST).await;
        let pointer = body["errors"][0]["pointer"].as_str().unwrap_or("");
        assert!(pointer.starts_with("#/query/"), "{path}: {body}");
    }
    let body = problem(
        app.get("/v1/actors/kazakhstan?fields=name").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "#/query/fields");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("takes no query parameters")),
        "{body}"
    );
    // What an operation documents still goes through.
    assert_eq!(
        app.get("/v1/actors/kazakhstan/roles?on=2022-10-01")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn lists_read_paging_beside_filters_and_refuse_unknown_parameters() {
    let app = spawn_app().await;
    seed_actors(&app).await;
    // Paging and filters are parsed apart, neither refusing the other's parameters: what is
    // in neither is still a 400 naming it, paging or filter alike.
    for (path, unknown) in [
        ("/v1/actors?limit=1&kind=state&limt=1", "limt"),
        ("/v1/actors?kind=state&sort=name", "sort"),
        (
            "/v1/actors/kazakhstan/roles?limit=1&on=2022&cursr=x",
            "cursr",
        ),
        (
            "/v1/actors/kazakhstan/timeline?limit=1&from=2022&sort=asc",
            "sort",
        ),
        ("/v1/actors/kazakhstan/revisions?limit=1&kind=state", "kind"),
        ("/v1/statements?limit=1&speaker=kazakhstan&page=2", "page"),
        ("/v1/visits?limit=1&hots=kazakhstan", "hots"),
        ("/v1/citations?limit=1&q=treaty&lang=en", "lang"),
    ] {
        let body = problem(app.get(path).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(
            body["errors"][0]["pointer"],
            format!("#/query/{unknown}"),
            "{path}: {body}"
        );
    }
    // Both still apply: `limit` read as a number, the filter beside it, the cursor with it.
    let first = json(app.get("/v1/actors?limit=1&country=KZ").await).await;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(1), "{first}");
    let cursor = first["next_cursor"].as_str().unwrap_or_default();
    let second = json(
        app.get(&format!("/v1/actors?limit=1&country=KZ&cursor={cursor}"))
            .await,
    )
    .await;
    assert_eq!(
        second["items"].as_array().map(Vec::len),
        Some(1),
        "{second}"
    );
    assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);
    assert!(second["next_cursor"].is_null(), "{second}");
    let body = problem(
        app.get("/v1/actors?limit=ten&country=KZ").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "#/query/limit");
}

#[tokio::test]
async fn cors_is_off_unless_origins_are_configured() {
    let origin = "https://analysis.example.org";
    let preflight = |app: &TestApp, origin: &str| {
        app.request(Method::OPTIONS, "/v1/actors/kazakhstan")
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "PATCH")
            .header("Access-Control-Request-Headers", "authorization, if-match")
            .send()
    };
    let allow_origin = |response: &reqwest::Response| {
        response
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };

    let closed = spawn_app().await;
    let response = closed
        .request(Method::GET, "/v1/actors")
        .header("Origin", origin)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(allow_origin(&response), None);
    let response = preflight(&closed, origin)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(allow_origin(&response), None);

    let open = spawn_app_with(|s| s.cors_origins = vec![origin.to_owned()]).await;
    let response = preflight(&open, origin)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(allow_origin(&response).as_deref(), Some(origin));
    let methods = response
        .headers()
        .get("access-control-allow-methods")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(methods.contains("PATCH"), "{methods}");
    let response = open
        .request(Method::GET, "/v1/actors")
        .header("Origin", origin)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(allow_origin(&response).as_deref(), Some(origin));
    let exposed = response
        .headers()
        .get("access-control-expose-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("link"),
        "{exposed}"
    );
    // Another origin gets no permission, said as every other refusal is.
    let response = preflight(&open, "https://elsewhere.example")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(allow_origin(&response), None);
    problem(response, StatusCode::BAD_REQUEST).await;
}
