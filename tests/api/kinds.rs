//! The registry of record kinds (`domain::Resource`) against what the database and the API
//! hold: a kind the list names but a place leaves out fails here.

use chancery::domain::{Claim, Resource};
use uuid::Uuid;

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_kind_has_its_table_its_links_and_a_place_in_the_change_log() {
    let app = spawn_app().await;
    let mut tx = app.pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
    for kind in Resource::ALL {
        let table = kind.plural();
        sqlx::query(&format!("SELECT id FROM {table} LIMIT 0"))
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("no table `{table}` for {kind}: {e}"));
        // The change log's CHECK admits the kind.
        sqlx::query(
            "INSERT INTO changes (resource, record_id, operation, version, changed_by, data)
             VALUES ($1, $2, 'create', 1, 'test', '{}')",
        )
        .bind(kind)
        .bind(Uuid::now_v7())
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("the change log refuses {kind}: {e}"));
    }
    for claim in Claim::all() {
        let (table, owner) = chancery::store::links::table_and_owner(claim);
        sqlx::query(&format!(
            "SELECT {owner}, citation_id, position, locator, quote FROM {table} LIMIT 0"
        ))
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("no link table `{table}`: {e}"));
    }
    // …and nothing else.
    let refused = sqlx::query(
        "INSERT INTO changes (resource, record_id, operation, version, changed_by, data)
         VALUES ('meeting', $1, 'create', 1, 'test', '{}')",
    )
    .bind(Uuid::now_v7())
    .execute(&mut *tx)
    .await;
    assert!(refused.is_err(), "the change log took an unknown kind");
}
