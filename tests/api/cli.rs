//! The command line, run as a real process against a test database.

use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

fn chancery(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chancery"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("CHANCERY_LOG_FORMAT", "json")
        .output()
        .unwrap_or_else(|e| panic!("running chancery: {e}"))
}

#[tokio::test]
async fn token_create_prints_a_working_token_on_the_last_line() {
    let app = spawn_app().await;
    let output = chancery(
        &app.database_url,
        &["token", "create", "--scope", "write", "--name", "me"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let token = stdout.lines().last().unwrap_or_default().trim().to_owned();
    let response = app
        .request(Method::POST, "/v1/actors")
        .bearer_auth(&token)
        .json(&json!({"kind": "state", "name": "Kazakhstan"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::CREATED);

    // Names are unique; list shows names, never secrets.
    let again = chancery(
        &app.database_url,
        &["token", "create", "--scope", "read", "--name", "me"],
    );
    assert!(!again.status.success());
    let list = chancery(&app.database_url, &["token", "list"]);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(
        listed.lines().any(|l| l.starts_with("me\twrite\t")),
        "{listed}"
    );
    assert!(!listed.contains(&token));

    let revoke = chancery(&app.database_url, &["token", "revoke", "me"]);
    assert!(revoke.status.success());
    let response = app
        .request(Method::POST, "/v1/actors")
        .bearer_auth(&token)
        .json(&json!({"kind": "state", "name": "China"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        !chancery(&app.database_url, &["token", "revoke", "me"])
            .status
            .success()
    );
    // A revoked token's name is not given to another: the feed names tokens by name.
    let reused = chancery(
        &app.database_url,
        &["token", "create", "--scope", "write", "--name", "me"],
    );
    assert!(!reused.status.success());
    assert!(
        String::from_utf8_lossy(&reused.stderr).contains("never reused"),
        "{}",
        String::from_utf8_lossy(&reused.stderr)
    );
}

#[test]
fn openapi_prints_the_document() {
    let output = Command::new(env!("CARGO_BIN_EXE_chancery"))
        .arg("openapi")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(output.status.success());
    let document: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(document["openapi"], "3.1.0");
}

#[tokio::test]
async fn migrate_applies_migrations_to_an_empty_database() {
    let url = fresh_database().await;
    // Flags go before or after the command.
    let output = Command::new(env!("CARGO_BIN_EXE_chancery"))
        .args(["--database-url", &url, "migrate", "--log-format", "json"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap_or_else(|e| panic!("running chancery: {e}"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pool = sqlx::PgPool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        chancery::db::migrations_applied(&pool)
            .await
            .unwrap_or(false)
    );
}

#[tokio::test]
async fn import_reads_icews_files_gzip_or_not_and_a_second_time_adds_nothing() {
    use std::io::Write;
    let app = spawn_app().await;
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/icews/sample.tab");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let packed = dir.path().join("sample.tab.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(sample).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&packed, gz.finish().unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"));
    let packed = packed.to_string_lossy().into_owned();
    let first = chancery(&app.database_url, &["import", "--format", "icews", &packed]);
    let said = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{said}");
    assert!(said.contains("10 visits"), "{said}");
    assert!(said.contains("9 interactions"), "{said}");
    // The dataset file's citation is titled with the file's name.
    let titles: Vec<String> =
        sqlx::query_scalar("SELECT title FROM citations WHERE source LIKE 'ICEWS%'")
            .fetch_all(&app.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(titles, ["sample.tab.gz"]);
    let again = chancery(&app.database_url, &["import", "--format", "icews", sample]);
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{said}");
    assert!(said.contains("imported 0 records"), "{said}");
    assert!(said.contains("rows read before: 37"), "{said}");
    // Nothing new cites the second file: it is not made.
    assert_eq!(app.count("citations").await, 19); // 18 stories and the first file
}
