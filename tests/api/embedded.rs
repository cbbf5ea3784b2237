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

/// A free port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn the_first_start_writes_the_admin_token_to_a_private_file_not_the_output() {
    use std::os::unix::fs::PermissionsExt;
    use tokio::io::AsyncReadExt;

    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("first-start-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{e}"));
    // The postgres user must reach the data directory when the tests run as root.
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    let port = free_port();
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_chancery"))
        .args(["serve", "--port", &port.to_string()])
        .env_remove("DATABASE_URL")
        .env("CHANCERY_DATA_DIR", root.join("postgres"))
        .env("CHANCERY_LOG_FORMAT", "json")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let client = reqwest::Client::new();
    let ready = format!("http://127.0.0.1:{port}/readyz");
    let mut up = false;
    for _ in 0..600 {
        if client
            .get(&ready)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "the service did not start");
    let path = root.join("admin-token");
    let mode = std::fs::metadata(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "readable only by its owner");
    let token = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .trim()
        .to_owned();
    assert!(token.starts_with("chy_"), "{token}");
    let created = client
        .post(format!("http://127.0.0.1:{port}/v1/actors"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"kind": "state", "name": "Kyrgyzstan"}))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    assert_eq!(created, 201);

    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id().map_or(0, |id| id as i32)),
        nix::sys::signal::Signal::SIGTERM,
    );
    let _ = tokio::time::timeout(std::time::Duration::from_secs(30), server.wait()).await;
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = server.stdout.take() {
        let _ = out.read_to_string(&mut stdout).await;
    }
    if let Some(mut err) = server.stderr.take() {
        let _ = err.read_to_string(&mut stderr).await;
    }
    assert!(
        stdout.contains(&path.display().to_string()),
        "the path is printed: {stdout}"
    );
    assert!(
        !stdout.contains(&token) && !stderr.contains(&token),
        "the token leaked: {stdout}{stderr}"
    );
    let _ = std::fs::remove_dir_all(&root);
}
