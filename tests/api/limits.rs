//! Rate limits: per address, per token, for costly reads and for failed authentications.

use chancery::api::limits::RateSettings;
use reqwest::{Method, StatusCode};

use crate::helpers::*;

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

fn limits(
    configure: impl FnOnce(&mut RateSettings),
) -> impl FnOnce(&mut chancery::config::Settings) {
    move |settings| {
        // Only the limit under test is low; the others stay out of the way.
        settings.rate_limits = RateSettings {
            per_address: 10_000,
            per_token: 10_000,
            costly_per_minute: 10_000,
            failed_auth_per_minute: 10_000,
        };
        configure(&mut settings.rate_limits);
    }
}

#[tokio::test]
async fn an_address_past_its_limit_gets_429_with_the_limit_stated() {
    let app = spawn_app_with(limits(|r| r.per_address = 5)).await;
    let first = app.get("/v1/actors").await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(header(&first, "ratelimit-policy"), "\"address\";q=5;w=1");
    assert_eq!(header(&first, "ratelimit"), "\"address\";r=4;t=1");
    let mut refused = None;
    for _ in 0..20 {
        let response = app.get("/v1/actors").await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
            break;
        }
    }
    let refused = refused.unwrap_or_else(|| panic!("20 more requests were all let through"));
    assert!(
        header(&refused, "retry-after")
            .parse::<u64>()
            .is_ok_and(|s| s >= 1)
    );
    assert!(header(&refused, "ratelimit-policy").contains("\"address\""));
    let body = problem(refused, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("`address`")),
        "{body}"
    );
}

#[tokio::test]
async fn a_token_past_its_limit_gets_429_while_anonymous_reads_go_on() {
    let app = spawn_app_with(limits(|r| r.per_token = 3)).await;
    let read = |token: &str| {
        app.request(Method::GET, "/v1/actors")
            .bearer_auth(token.to_owned())
            .send()
    };
    let first = read(&app.read_token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.status(), StatusCode::OK);
    assert!(header(&first, "ratelimit-policy").contains("\"token\";q=3;w=1"));
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(
            read(&app.read_token)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .status(),
        );
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // Another token, and no token, have buckets of their own.
    let other = read(&app.write_token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(app.get("/v1/actors").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn searches_and_analyses_are_limited_more_tightly_than_lists() {
    let app = spawn_app_with(limits(|r| r.costly_per_minute = 2)).await;
    let kz = app
        .create_actor(serde_json::json!({"kind": "state", "name": "Kazakhstan"}))
        .await;
    assert_eq!(app.get("/v1/actors?q=kaz").await.status(), StatusCode::OK);
    let engagement = format!("/v1/actors/{}/engagement", uuid_of(&kz));
    assert_eq!(app.get(&engagement).await.status(), StatusCode::OK);
    let third = app.get("/v1/network").await;
    assert!(header(&third, "ratelimit-policy").contains("\"costly\";q=2;w=60"));
    problem(third, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(app.get("/v1/actors").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn failed_logins_bar_the_address_from_sending_tokens() {
    let app = spawn_app_with(limits(|r| r.failed_auth_per_minute = 5)).await;
    let read = |token: String| {
        app.request(Method::GET, "/v1/actors")
            .bearer_auth(token)
            .send()
    };
    // A token holder authenticates before the guessing starts, from the same address.
    let good = read(app.read_token.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(good.status(), StatusCode::OK);
    let mut statuses = Vec::new();
    for n in 0..12 {
        let response = read(format!("chy_guess{n}_secret"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        statuses.push(response.status().as_u16());
    }
    // Five guesses are answered; after them every guess is refused unread.
    assert_eq!(&statuses[..5], &[401; 5], "{statuses:?}");
    assert!(statuses[6..].iter().all(|s| *s == 429), "{statuses:?}");
    let barred = read("chy_guess_again".into())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        header(&barred, "retry-after")
            .parse::<u64>()
            .is_ok_and(|s| s >= 1)
    );
    problem(barred, StatusCode::TOO_MANY_REQUESTS).await;
    // A token unknown to this process waits too, being as likely a guess…
    let unseen = read(app.write_token.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unseen.status(), StatusCode::TOO_MANY_REQUESTS);
    // …but the token that authenticated before goes on (a guesser sharing the address does
    // not lock its holder out), and so do reads without a token.
    let good = read(app.read_token.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(good.status(), StatusCode::OK);
    assert_eq!(app.get("/v1/actors").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_limit_of_zero_is_off() {
    let app = spawn_app_with(limits(|r| r.per_address = 0)).await;
    for _ in 0..50 {
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(!header(&response, "ratelimit-policy").contains("address"));
    }
}
