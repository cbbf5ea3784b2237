use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn healthz_and_readyz_are_ok() {
    let app = spawn_app().await;
    assert_eq!(json(app.get("/healthz").await).await["status"], "ok");
    assert_eq!(json(app.get("/readyz").await).await["status"], "ok");
}

#[tokio::test]
async fn readyz_is_503_while_migrations_are_missing() {
    let app = spawn_app_with(|s| s.migrate = false).await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(json(response).await["status"], "unavailable");
    chancery::db::migrate(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn readyz_and_requests_are_503_while_the_database_is_unreachable() {
    // A server whose database does not answer: nothing listens on the port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(1);
    let settings = {
        let mut s =
            chancery::config::Settings::new(format!("postgres://nobody:x@127.0.0.1:{port}/none"));
        s.port = 0;
        s.migrate = false;
        s.pool_acquire_timeout = std::time::Duration::from_millis(500);
        s
    };
    let application = chancery::startup::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let response = client
        .get(format!("{address}/v1/actors"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(header(&response, "retry-after").is_some());
    problem(response, StatusCode::SERVICE_UNAVAILABLE).await;
    let response = client
        .get(format!("{address}/healthz"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = spawn_app().await;
    seed_actors(&app).await;
    app.get("/v1/actors/kazakhstan").await;
    app.get("/v1/actors/eu").await;
    app.get("/no/such/path").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap_or_default();
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/v1/actors/{actor}",status="200"} 2"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"route="unmatched""#), "{text}");
    assert!(
        !text.contains("kazakhstan"),
        "raw paths must not become labels"
    );
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(text.contains("db_pool_max_connections 8"));
}
