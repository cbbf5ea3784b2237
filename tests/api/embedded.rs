//! The embedded PostgreSQL: created on first start, reused after, attached to while running.

use chancery::embedded_pg::{EmbeddedOptions, EmbeddedPostgres, find_bin_dir};
use sqlx::Connection;

#[tokio::test]
async fn a_cluster_is_created_started_reused_and_stopped() {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("embedded-{}", uuid::Uuid::now_v7().simple()));
    let options = EmbeddedOptions::new(root.join("postgres"));

    let first = EmbeddedPostgres::start(&options)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(first.created);
    let url = first.database_url();
    let mut conn = sqlx::PgConnection::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let listen: String = sqlx::query_scalar("SHOW listen_addresses")
        .fetch_one(&mut conn)
        .await
        .unwrap_or_default();
    assert_eq!(listen, "127.0.0.1");
    drop(conn);

    // A second start while it runs attaches instead of starting another postmaster.
    let second = EmbeddedPostgres::start(&options)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(!second.created);
    assert_eq!(second.port(), first.port());
    second.stop().unwrap_or_else(|e| panic!("{e:#}"));
    assert!(
        sqlx::PgConnection::connect(&url).await.is_ok(),
        "the attached handle must not stop the server"
    );

    first.stop().unwrap_or_else(|e| panic!("{e:#}"));
    assert!(sqlx::PgConnection::connect(&url).await.is_err());

    // The next start reuses the data.
    let third = EmbeddedPostgres::start(&options)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(!third.created);
    third.stop().unwrap_or_else(|e| panic!("{e:#}"));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn missing_server_binaries_name_the_package_to_install() {
    let error = find_bin_dir(Some(std::path::Path::new("/nonexistent")))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        error.contains("/nonexistent") && error.contains("apt-get install postgresql"),
        "{error}"
    );
}
