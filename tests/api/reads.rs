//! A read of one actor comes from `actor_reads`, which triggers keep; a list of actors
//! assembles the same roles from the tables they are stored in. Every write that changes what
//! an actor shows must leave the two agreeing.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// Every actor as the list shows it (assembled from the tables), by id.
async fn listed(app: &TestApp) -> HashMap<String, Value> {
    let mut actors = HashMap::new();
    let mut path = "/v1/actors?limit=100".to_owned();
    loop {
        let page = json(app.get(&path).await).await;
        for actor in page["items"].as_array().into_iter().flatten() {
            actors.insert(uuid_of(actor), actor.clone());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/actors?limit=100&cursor={cursor}"),
            None => return actors,
        }
    }
}

/// Reads every actor by id and checks it against the list; returns them by slug.
async fn agree(app: &TestApp, after: &str) -> HashMap<String, Value> {
    let mut by_slug = HashMap::new();
    for (id, listed) in listed(app).await {
        let read = json(app.get(&format!("/v1/actors/{id}")).await).await;
        assert_eq!(
            read, listed,
            "after {after}, a read of {id} differs from the list"
        );
        by_slug.insert(read["slug"].as_str().unwrap_or_default().to_owned(), read);
    }
    by_slug
}

#[tokio::test]
async fn every_write_that_changes_what_an_actor_shows_keeps_its_read_in_step() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let role = app
        .create_role(
            "kassym-jomart-tokayev",
            json!({"of_actor_id": record.kz["id"], "title": "President", "start": "2019-03-20",
                   "citations": [{"citation_id": record.article["id"], "locator": "paragraph 1"},
                                 {"citation_id": record.fmprc["id"]}]}),
        )
        .await;
    let role_path = format!("/v1/actors/kassym-jomart-tokayev/roles/{}", uuid_of(&role));
    let actors = agree(&app, "creating roles").await;
    let tokayev = &actors["kassym-jomart-tokayev"];
    assert_eq!(
        tokayev["roles"][0]["citations"].as_array().map(Vec::len),
        Some(2)
    );

    let edited = app
        .patch_json(
            &format!("/v1/citations/{}", uuid_of(&record.article)),
            &json!({"title": "Multi-vector, revisited"}),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let actors = agree(&app, "editing a cited citation").await;
    assert_eq!(
        actors["kassym-jomart-tokayev"]["roles"][0]["citations"][0]["citation"]["title"],
        "Multi-vector, revisited"
    );

    let renamed = app
        .patch_json(
            "/v1/actors/kazakhstan",
            &json!({"name": "Republic of Kazakhstan", "slug": "qazaqstan"}),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let actors = agree(&app, "renaming the actor a role is held in").await;
    let shown = &actors["kassym-jomart-tokayev"]["roles"][0]["of_actor"];
    assert_eq!(
        (&shown["name"], &shown["slug"]),
        (&json!("Republic of Kazakhstan"), &json!("qazaqstan"))
    );

    let updated = app
        .patch_json(
            &role_path,
            &json!({"title": "Head of State", "citations": [{"citation_id": record.fmprc["id"], "quote": "q"}]}),
        )
        .await;
    assert_eq!(updated.status(), StatusCode::OK);
    let actors = agree(&app, "updating a role and its citations").await;
    let roles = &actors["kassym-jomart-tokayev"]["roles"];
    assert_eq!(roles[0]["title"], "Head of State");
    assert_eq!(roles[0]["citations"].as_array().map(Vec::len), Some(1));

    let prc = app
        .create_actor(json!({"kind": "state", "name": "People's Republic of China", "slug": "prc"}))
        .await;
    app.create_role(
        "kassym-jomart-tokayev",
        json!({"of_actor_id": prc["id"], "title": "Envoy", "start": "1999"}),
    )
    .await;
    let merged = app
        .post_json("/v1/actors/prc/merge", &json!({"into": "china"}))
        .await;
    assert_eq!(merged.status(), StatusCode::OK);
    let actors = agree(&app, "merging the actor a role is held in").await;
    let held_in: Vec<&Value> = actors["kassym-jomart-tokayev"]["roles"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| &r["of_actor"]["slug"])
        .collect();
    assert_eq!(held_in, [&json!("qazaqstan"), &json!("china")]);

    for role in actors["kassym-jomart-tokayev"]["roles"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let path = format!("/v1/actors/kassym-jomart-tokayev/roles/{}", uuid_of(role));
        assert_eq!(app.delete(&path).await.status(), StatusCode::NO_CONTENT);
    }
    let actors = agree(&app, "deleting roles").await;
    assert_eq!(actors["kassym-jomart-tokayev"]["roles"], json!([]));

    let imported = app
        .import(format!(
            "{}\n{}\n",
            json!({"type": "actor", "key": "a", "kind": "person", "name": "Alikhan Smailov"}),
            json!({"type": "role", "actor_id": "a", "of_actor_id": record.kz["id"], "title": "Prime Minister",
                   "start": "2022-01", "citations": [{"citation_id": record.article["id"]}]}),
        ))
        .await;
    assert_eq!(imported.status(), StatusCode::OK);
    let actors = agree(&app, "an import").await;
    assert_eq!(
        actors["alikhan-smailov"]["roles"][0]["title"],
        "Prime Minister"
    );
}

/// PostgreSQL writes the year 0 as `0001-01-01 BC`; the read keeps dates as numbers.
#[tokio::test]
async fn a_role_and_a_citation_dated_in_the_year_0_read_back() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    let source = app
        .create(
            "/v1/citations",
            json!({"source": "Annals", "published_on": "0000-03"}),
        )
        .await;
    app.create_role(
        "kassym-jomart-tokayev",
        json!({"of_actor_id": kz["id"], "title": "Envoy", "start": "0000", "end": "0001-02-03",
               "citations": [{"citation_id": source["id"]}]}),
    )
    .await;
    let actors = agree(&app, "a role in the year 0").await;
    let role = &actors["kassym-jomart-tokayev"]["roles"][0];
    assert_eq!(
        (&role["start"], &role["end"]),
        (&json!("0000"), &json!("0001-02-03"))
    );
    assert_eq!(role["citations"][0]["citation"]["published_on"], "0000-03");
}

/// A person holding no role yet, and the state a role will be held in.
async fn person_and_state(app: &TestApp) -> (uuid::Uuid, uuid::Uuid) {
    let (kz, tokayev, _) = seed_actors(app).await;
    let id = |v: &Value| uuid_of(v).parse().unwrap_or_else(|e| panic!("{e}"));
    (id(&tokayev), id(&kz))
}

/// Writes a role in SQL, past the service, as a hand-written write would.
async fn insert_role(
    conn: impl sqlx::PgExecutor<'_>,
    holder: uuid::Uuid,
    of: uuid::Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO roles (id, actor_id, of_actor_id, title) VALUES ($1, $2, $3, 'President')",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(holder)
    .bind(of)
    .execute(conn)
    .await
    .map(|_| ())
}

async fn rename(conn: impl sqlx::PgExecutor<'_>, of: uuid::Uuid) {
    sqlx::query("UPDATE actors SET name = 'Qazaqstan' WHERE id = $1")
        .bind(of)
        .execute(conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Waits for the other write, which may be waiting for a lock, to be ready to go on.
async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
}

/// A role written while a rename of the state is uncommitted must show the new name once both
/// have committed: its write waits for the rename.
#[tokio::test]
async fn a_role_written_during_a_rename_of_its_state_shows_the_new_name() {
    let app = spawn_app().await;
    let (person, state) = person_and_state(&app).await;
    let mut renaming = app.pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
    rename(&mut *renaming, state).await;
    let pool = app.pool.clone();
    let role = tokio::spawn(async move { insert_role(&pool, person, state).await });
    settle().await;
    renaming.commit().await.unwrap_or_else(|e| panic!("{e}"));
    role.await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let actors = agree(&app, "a role written during a rename").await;
    assert_eq!(
        actors["kassym-jomart-tokayev"]["roles"][0]["of_actor"]["name"],
        "Qazaqstan"
    );
}

/// A rename while a role in the state is uncommitted must reach that role's holder: the
/// rename waits for the role's write, then sees it.
#[tokio::test]
async fn a_rename_during_a_role_write_reaches_the_new_role() {
    let app = spawn_app().await;
    let (person, state) = person_and_state(&app).await;
    let mut writing = app.pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
    insert_role(&mut *writing, person, state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pool = app.pool.clone();
    let renamed = tokio::spawn(async move { rename(&pool, state).await });
    settle().await;
    writing.commit().await.unwrap_or_else(|e| panic!("{e}"));
    renamed.await.unwrap_or_else(|e| panic!("{e}"));
    let actors = agree(&app, "a rename during a role write").await;
    assert_eq!(
        actors["kassym-jomart-tokayev"]["roles"][0]["of_actor"]["name"],
        "Qazaqstan"
    );
}

/// A write that waits for a lock past the statement timeout is refused as retryable, not as
/// a failure of the service: here a role in a state whose rename has not committed.
#[tokio::test]
async fn a_role_write_that_waits_too_long_for_a_lock_is_a_retryable_503() {
    let app = spawn_app_with(|s| s.statement_timeout = std::time::Duration::from_millis(300)).await;
    let (_, state) = person_and_state(&app).await;
    let mut renaming = app.pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
    rename(&mut *renaming, state).await;
    let refused = app
        .post_json(
            "/v1/actors/kassym-jomart-tokayev/roles",
            &json!({"of_actor_id": state, "title": "President"}),
        )
        .await;
    assert!(header(&refused, "retry-after").is_some());
    problem(refused, StatusCode::SERVICE_UNAVAILABLE).await;
    renaming.rollback().await.unwrap_or_else(|e| panic!("{e}"));
    let actors = agree(&app, "a refused role write").await;
    assert_eq!(actors["kassym-jomart-tokayev"]["roles"], json!([]));
}

/// The triggers need READ COMMITTED: chancery's connections ask for it whatever the
/// database's default, and a write in another isolation is refused rather than left stale.
#[tokio::test]
async fn writes_keep_read_committed_whatever_the_databases_default() {
    use sqlx::{Connection, Executor};
    let url = fresh_database().await;
    let mut conn = sqlx::PgConnection::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let default =
        format!(r#"ALTER DATABASE "{name}" SET default_transaction_isolation = 'repeatable read'"#);
    conn.execute(default.as_str())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let app = spawn_app_with(|s| s.database_url = url.clone()).await;
    let (person, state) = person_and_state(&app).await;
    let created = app
        .post_json(
            "/v1/actors/kassym-jomart-tokayev/roles",
            &json!({"of_actor_id": state, "title": "President"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);

    let mut repeatable = sqlx::PgConnection::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let refused = insert_role(&mut repeatable, person, state).await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("READ COMMITTED"), "{message}");
}
