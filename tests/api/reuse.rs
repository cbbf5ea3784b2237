//! Finished reads hand their connections on without sqlx's ping (`chancery::reuse`): a
//! released connection is reused, one left unreleased (a query cut off half-way) goes back
//! to sqlx, a read waiting in sqlx's queue is not overtaken, the circle leaves part of the
//! pool to sqlx, an idle stash empties, and the HTTP reads that should release do.

use std::sync::Arc;
use std::time::Duration;

use chancery::reuse::{Lease, Recycler};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::postgres::PgPoolOptions;

use crate::helpers::{TestApp, fresh_database, spawn_app};

async fn recycler(size: u32) -> Arc<Recycler> {
    let url = fresh_database().await;
    let pool = PgPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy(&url)
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    Recycler::new(pool)
}

async fn lease(recycler: &Arc<Recycler>) -> Lease {
    recycler
        .acquire()
        .await
        .unwrap_or_else(|e| panic!("acquiring: {e}"))
}

async fn backend(lease: &mut Lease) -> i32 {
    sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut **lease)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_released_connection_is_reused_and_an_unreleased_one_is_not() {
    let recycler = recycler(4).await;
    let mut first = lease(&recycler).await;
    let pid = backend(&mut first).await;
    assert_eq!(recycler.counts(), (0, 0), "nothing is stashed while in use");
    first.release();
    assert_eq!(recycler.counts(), (1, 1));

    let mut second = lease(&recycler).await;
    assert_eq!(
        backend(&mut second).await,
        pid,
        "the released connection is reused"
    );
    assert_eq!(recycler.counts(), (0, 1));
    // A query cut off half-way leaves the connection busy: dropped unreleased, it goes back
    // to sqlx (which waits for it to be ready again), never to the next read directly.
    let cut = tokio::time::timeout(
        Duration::from_millis(100),
        sqlx::query("SELECT pg_sleep(1)").execute(&mut *second),
    )
    .await;
    assert!(cut.is_err(), "the sleep was cut off");
    drop(second);
    assert_eq!(
        recycler.counts(),
        (0, 0),
        "an unreleased connection leaves the circle"
    );

    let mut third = lease(&recycler).await;
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut *third)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(one, 1);
    third.release();
    assert_eq!(recycler.counts(), (1, 1));
}

#[tokio::test]
async fn the_circle_leaves_part_of_the_pool_to_sqlx() {
    let recycler = recycler(4).await;
    let mut leases = Vec::new();
    for _ in 0..4 {
        leases.push(lease(&recycler).await);
    }
    for lease in leases {
        lease.release();
    }
    assert_eq!(recycler.counts(), (3, 3), "three of four go round");
    // With three connections stashed, whatever waits in sqlx's queue still has the fourth.
    let direct = tokio::time::timeout(Duration::from_secs(4), recycler.pool().acquire())
        .await
        .unwrap_or_else(|_| panic!("the pool's own queue was starved"))
        .unwrap_or_else(|e| panic!("{e}"));
    drop(direct);
    // Leases converted to plain connections (a transaction's) leave the circle.
    let converted = lease(&recycler).await.into_inner();
    assert_eq!(recycler.counts(), (2, 2));
    drop(converted);
}

#[tokio::test]
async fn a_read_waiting_in_the_queue_gets_the_next_connection_released() {
    let recycler = recycler(2).await;
    let first = lease(&recycler).await;
    let second = lease(&recycler).await;
    let waiter = tokio::spawn({
        let recycler = Arc::clone(&recycler);
        async move { lease(&recycler).await.release() }
    });
    for _ in 0..200 {
        if recycler.waiting() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        recycler.waiting(),
        1,
        "the third read waits in sqlx's queue"
    );
    // The circle (one connection of two) has room, but the waiting read comes first.
    first.release();
    tokio::time::timeout(Duration::from_secs(4), waiter)
        .await
        .unwrap_or_else(|_| panic!("the waiting read was passed over"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(recycler.waiting(), 0);
    assert_eq!(
        recycler.counts(),
        (1, 1),
        "the waiter's connection went round after it"
    );
    drop(second);
}

#[tokio::test]
async fn a_connection_idle_in_the_stash_goes_back_to_sqlx_unasked() {
    let recycler = recycler(4).await;
    lease(&recycler).await.release();
    assert_eq!(recycler.counts(), (1, 1));
    // No read comes: the sweep (every 2.5 s) sends it back once idle for 5 s.
    tokio::time::sleep(Duration::from_millis(8000)).await;
    assert_eq!(recycler.counts(), (0, 0));
}

#[tokio::test]
async fn a_connection_marked_failed_is_never_handed_on() {
    let recycler = recycler(4).await;
    let mut failed = lease(&recycler).await;
    failed.close_on_drop();
    failed.release();
    assert_eq!(recycler.counts(), (0, 0));
}

/// `db_pool_stashed_connections` from `/metrics`.
async fn stashed(app: &TestApp) -> u64 {
    app.metric("db_pool_stashed_connections")
        .await
        .unwrap_or_else(|| panic!("no db_pool_stashed_connections in /metrics"))
}

#[tokio::test]
async fn reads_of_a_page_and_a_record_hand_their_connection_on_and_errors_do_not() {
    let app = spawn_app().await;
    let actor = app
        .create_actor(json!({"kind": "state", "name": "Kazakhstan", "country_code": "KZ"}))
        .await;
    let id = actor["id"].as_str().unwrap_or_else(|| panic!("{actor}"));
    assert_eq!(stashed(&app).await, 0, "a write hands nothing on");
    let page = app.get("/v1/actors").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(
        stashed(&app).await,
        1,
        "the page's connection waits for the next read"
    );
    let record = app.get(&format!("/v1/actors/{id}")).await;
    assert_eq!(record.status(), StatusCode::OK);
    assert_eq!(
        stashed(&app).await,
        1,
        "the record's read took it and left it again"
    );
    let missing = app
        .get("/v1/actors/00000000-0000-0000-0000-00000000beef")
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        stashed(&app).await,
        0,
        "a read that ended in an error goes back to sqlx"
    );
}
