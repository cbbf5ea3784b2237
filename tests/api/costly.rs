//! Costly work (analyses, pages, resolve batches, exports) draws on its own share of the
//! connections: while one caller runs many such requests at once, another caller's cheap
//! reads all find a connection.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{TestApp, pointers, problem, spawn_app_with};

/// `bench/synthetic.sql` for `records` visits and statements, without psql.
pub async fn load_synthetic(app: &TestApp, records: u64) {
    let script = include_str!("../../bench/synthetic.sql");
    let actors = (records / 100).max(100);
    let sql: String = script
        .lines()
        .filter(|line| !line.starts_with('\\') && !line.contains("\\gset"))
        .filter(|line| !line.starts_with("SELECT greatest(:records"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(":actors", &actors.to_string())
        .replace(":citations", &actors.to_string())
        .replace(":visits", &(records / 2).to_string())
        .replace(":statements", &(records / 2).to_string());
    sqlx::raw_sql(&sql)
        .execute(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("loading synthetic records: {e}"));
}

/// A client whose requests come from another loopback address: another caller.
fn other_caller() -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

type Load = Vec<tokio::task::JoinHandle<reqwest::Result<StatusCode>>>;

/// `count` requests at once from the test's own caller, taking `paths` in turn.
fn send_all(app: &TestApp, paths: &[String], count: usize) -> Load {
    (0..count)
        .map(|i| {
            let request = app.client.get(app.url(&paths[i % paths.len()]));
            tokio::spawn(async move { request.send().await.map(|r| r.status()) })
        })
        .collect()
}

/// Waits for costly requests sent at once: each answers, or is told to retry; nothing else.
async fn settled(load: Load) {
    for task in load {
        let status = task
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        // A costly request either answers or is told to retry; it never fails otherwise.
        assert!(
            status == StatusCode::OK || status == StatusCode::SERVICE_UNAVAILABLE,
            "{status}"
        );
    }
}

#[tokio::test]
async fn cheap_reads_find_a_connection_while_one_caller_runs_many_analyses() {
    // Few connections, and a short wait for one, so that a pool taken by analyses shows.
    let app = spawn_app_with(|s| {
        s.pool_max_connections = 4;
        s.pool_acquire_timeout = Duration::from_millis(300);
    })
    .await;
    load_synthetic(&app, 20_000).await;
    let state = "actor-10";
    let cheap = app.url(&format!("/v1/actors/{state}"));
    assert_eq!(app.get(&format!("/v1/actors/{state}")).await.status(), 200);

    let costly = [
        format!("/v1/actors/{state}/engagement?by=month"),
        "/v1/network?by=month&format=csv".to_owned(),
        format!("/v1/dyads?a={state}&b=actor-20&by=month"),
        format!("/explore/{state}?by=month"),
    ];
    let load = send_all(&app, &costly, 12);

    let client = other_caller();
    let mut refused = Vec::new();
    for _ in 0..30 {
        let status = client
            .get(&cheap)
            .send()
            .await
            .map(|r| r.status())
            .unwrap_or_else(|e| panic!("{e}"));
        if status != StatusCode::OK {
            refused.push(status);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    settled(load).await;
    assert!(refused.is_empty(), "cheap reads refused: {refused:?}");
}

#[tokio::test]
async fn one_caller_cannot_hold_every_costly_slot() {
    // Two slots, one per caller: the first caller's second request waits, the other's does not.
    let app = spawn_app_with(|s| {
        s.costly.slots = 2;
        s.costly.per_caller = 1;
        s.costly.wait = Duration::from_millis(200);
    })
    .await;
    load_synthetic(&app, 20_000).await;
    let path = "/v1/network?by=month&format=csv";
    let load = send_all(&app, &[path.to_owned()], 6);
    // While the first caller's are under way, the other caller gets its turn.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let status = other_caller()
        .get(app.url(path))
        .send()
        .await
        .map(|r| r.status())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, StatusCode::OK);
    settled(load).await;
}

/// Makes reading a tie fail, so a question answered without reading its ties shows it.
async fn forbid_reading_ties(app: &TestApp) {
    sqlx::raw_sql(
        "CREATE OR REPLACE FUNCTION principal_of(participant uuid, during daterange)
         RETURNS TABLE (principal_id uuid, role_id uuid, rank role_rank, resolved boolean)
         LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the ties were read'; END $$",
    )
    .execute(&app.pool)
    .await
    .unwrap_or_else(|e| panic!("replacing principal_of: {e}"));
}

#[tokio::test]
async fn an_open_window_of_too_many_periods_is_refused_before_its_ties_are_read() {
    let app = spawn_app_with(|_| {}).await;
    load_synthetic(&app, 2_000).await;
    // One visit (hosted by actor-20) in 1850: the records span more than a century of months.
    sqlx::raw_sql("UPDATE visits SET start_date = '1850-01-01' WHERE id = md5('visit1')::uuid")
        .execute(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    forbid_reading_ties(&app).await;
    for path in [
        "/v1/network?by=month",
        "/v1/actors/actor-20/engagement?by=month",
        "/v1/dyads?a=actor-20&b=actor-10&by=month",
    ] {
        let problem = problem(app.get(path).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(pointers(&problem), ["#/query/by"], "{path}: {problem}");
    }
}

#[tokio::test]
async fn a_question_over_too_many_links_is_refused_before_its_ties_are_read() {
    let app = spawn_app_with(|_| {}).await;
    load_synthetic(&app, 5_000).await;
    // 2,500 visits with 99 visitors each: some 247,000 links, written without the triggers
    // (the link's date is given), a few visitors at a time.
    for first in (1..100).step_by(10) {
        let mut tx = app
            .pool
            .begin()
            .await
            .unwrap_or_else(|e| panic!("begin: {e}"));
        sqlx::query("SET LOCAL session_replication_role = replica")
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("replica: {e}"));
        sqlx::query(
            "INSERT INTO visit_visitors (visit_id, actor_id, position, start_date)
             SELECT v.id, lpad(to_hex(a), 32, '0')::uuid, a, v.start_date
             FROM visits v, generate_series($1::int, least($1::int + 9, 99)) a
             ON CONFLICT DO NOTHING",
        )
        .bind(first)
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("writing links: {e}"));
        tx.commit().await.unwrap_or_else(|e| panic!("commit: {e}"));
    }
    forbid_reading_ties(&app).await;
    let problem = problem(
        app.get("/v1/network").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), ["#/query/from"], "{problem}");
}
