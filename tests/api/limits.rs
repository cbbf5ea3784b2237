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
            ..RateSettings::default()
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
    let statuses = guesses(&app, (0..12).map(|n| format!("chy_guess{n}_secret"))).await;
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

#[tokio::test]
async fn costly_routes_are_counted_however_their_path_is_encoded() {
    let app = spawn_app_with(limits(|r| r.costly_per_minute = 1)).await;
    let kz = app
        .create_actor(serde_json::json!({"kind": "state", "name": "Kazakhstan"}))
        .await;
    assert_eq!(app.get("/v1/network").await.status(), StatusCode::OK);
    let engagement = format!("/v1/actors/{}/engagemen%74", uuid_of(&kz));
    for path in [
        "/v1/%6eetwork",
        "/v1/dyad%73",
        "/v1/resolv%65?name=Kazakhstan",
        &engagement,
        "/explore",
        "/explore/kazakhstan",
        "/%65xplore/kazakhstan",
        "/v1/actors?%71=kaz",
    ] {
        let response = app.get(path).await;
        assert!(
            header(&response, "ratelimit-policy").contains("\"costly\""),
            "{path}"
        );
        problem(response, StatusCode::TOO_MANY_REQUESTS).await;
    }
    assert_eq!(app.get("/v1/actors").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_explorer_pages_are_costly() {
    let app = spawn_app_with(limits(|r| r.costly_per_minute = 1)).await;
    app.create_actor(serde_json::json!({"kind": "state", "name": "Kazakhstan"}))
        .await;
    assert_eq!(
        app.get("/explore/kazakhstan").await.status(),
        StatusCode::OK
    );
    let next = app.get("/v1/network").await;
    assert_eq!(next.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn guessing_the_secret_of_a_known_token_is_limited() {
    let app = spawn_app_with(limits(|r| r.failed_auth_per_minute = 5)).await;
    let read = |token: String| {
        app.request(Method::GET, "/v1/actors")
            .bearer_auth(token)
            .send()
    };
    let good = read(app.read_token.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(good.status(), StatusCode::OK);
    // The lookup half is not secret (it is in logs and in the database); guesses that send it
    // with other secrets are guesses all the same.
    let lookup = app.read_token.rsplit_once('_').map_or("", |(l, _)| l);
    let statuses = guesses(&app, (0..12).map(|n| format!("{lookup}_{n:064x}"))).await;
    assert_eq!(&statuses[..5], &[401; 5], "{statuses:?}");
    assert!(statuses[6..].iter().all(|s| *s == 429), "{statuses:?}");
    // The whole token still passes.
    let good = read(app.read_token.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(good.status(), StatusCode::OK);
}

/// The status of a read with each of `tokens`, in turn.
async fn guesses(app: &TestApp, tokens: impl Iterator<Item = String>) -> Vec<u16> {
    let mut statuses = Vec::new();
    for token in tokens {
        let response = app.get_as("/v1/actors", &token).await;
        statuses.push(response.status().as_u16());
    }
    statuses
}

/// Settings with this machine's loopback address as a trusted balancer.
fn behind_balancer(
    configure: impl FnOnce(&mut RateSettings),
) -> impl FnOnce(&mut chancery::config::Settings) {
    limits(|r| {
        r.trusted_proxies = "127.0.0.1, ::1".parse().unwrap_or_else(|e| panic!("{e}"));
        configure(r);
    })
}

fn from(app: &TestApp, client: &str, path: &str) -> reqwest::RequestBuilder {
    app.request(Method::GET, path)
        .header("X-Forwarded-For", client)
}

#[tokio::test]
async fn behind_a_trusted_balancer_one_clients_bad_tokens_do_not_bar_another() {
    let app = spawn_app_with(behind_balancer(|r| r.failed_auth_per_minute = 5)).await;
    let send =
        |client: &str, token: String| from(&app, client, "/v1/actors").bearer_auth(token).send();
    let mut statuses = Vec::new();
    for n in 0..50 {
        // What A claims to come from before the balancer is not believed: it is A still.
        let response = send(
            &format!("198.51.100.{n}, 192.0.2.1"),
            format!("chy_guess{n}"),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        statuses.push(response.status().as_u16());
    }
    assert!(statuses[6..].iter().all(|s| *s == 429), "{statuses:?}");
    // B's token has not authenticated before, so only B's own standing counts.
    let b = send("192.0.2.2", app.write_token.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.status(), StatusCode::OK);
    // A is barred from sending a token that has not authenticated lately.
    let a = send("192.0.2.1", app.admin_token.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn behind_a_trusted_balancer_one_clients_searches_do_not_throttle_another() {
    let app = spawn_app_with(behind_balancer(|r| r.costly_per_minute = 2)).await;
    let search = |client: &str| from(&app, client, "/v1/actors?q=kaz").send();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let response = search("192.0.2.1").await.unwrap_or_else(|e| panic!("{e}"));
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 429, 429]);
    let b = search("192.0.2.2").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_untrusted_peers_forwarded_address_is_ignored() {
    // Trusting another balancer than the peer is trusting none.
    let app = spawn_app_with(limits(|r| {
        r.costly_per_minute = 2;
        r.trusted_proxies = "10.0.0.0/8".parse().unwrap_or_else(|e| panic!("{e}"));
    }))
    .await;
    let mut statuses = Vec::new();
    for n in 0..4 {
        let response = from(&app, &format!("192.0.2.{n}"), "/v1/actors?q=kaz")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 429, 429]);
}
