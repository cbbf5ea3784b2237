//! Streaming replicas of a server, for the tests and tools that need one: a base backup
//! (`pg_basebackup -R`) started beside it.

use std::path::Path;

use anyhow::Context;

use super::{
    append, find_bin_dir, pg_ctl_start, run, running_port, server_command, server_user,
    usable_data_dir,
};

/// Starts a streaming replica of the server at `primary_url` in `data_dir` (made with
/// `pg_basebackup -R` on first use), unless one already runs there, and leaves it running.
/// Returns its URL: the primary's, with the replica's port. The primary must accept
/// replication connections from 127.0.0.1 for the URL's user (initdb's defaults do).
pub fn start_replica(
    primary_url: &str,
    data_dir: &Path,
    bin_dir: Option<&Path>,
) -> anyhow::Result<String> {
    let bin_dir = find_bin_dir(bin_dir)?;
    let run_as = server_user()?;
    let data_dir = usable_data_dir(data_dir, run_as.as_deref())?;
    let mut url = url::Url::parse(primary_url).context("the primary's URL is not a URL")?;
    if !data_dir.join("PG_VERSION").exists() {
        tracing::info!(data_dir = %data_dir.display(), "copying the primary for a replica");
        run(
            server_command(&bin_dir, "pg_basebackup", run_as.as_deref())
                .arg("-D")
                .arg(&data_dir)
                .args(["-R", "-X", "stream", "-c", "fast", "-d", primary_url]),
            "pg_basebackup",
        )?;
        // -R leaves the password out of the settings it writes: the replica could not
        // stream from a primary that asks for one. The last setting in the file wins.
        append(
            &data_dir.join("postgresql.auto.conf"),
            &format!(
                "primary_conninfo = '{}'\n",
                conninfo(&url).replace('\'', "''")
            ),
        )?;
    }
    let port = match running_port(&data_dir) {
        Some(port) => port,
        None => pg_ctl_start(&bin_dir, &data_dir, run_as.as_deref())?,
    };
    url.set_port(Some(port))
        .map_err(|()| anyhow::anyhow!("the primary's URL takes no port"))?;
    Ok(url.to_string())
}

/// A libpq connection string for the server of `url` (host, port, user, password).
fn conninfo(url: &url::Url) -> String {
    let quote = |value: &str| format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"));
    // URLs percent-encode their user and password.
    let decode = |value: &str| {
        let bytes = value.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'%', Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                (byte, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    let mut parts = vec![
        format!("host={}", quote(url.host_str().unwrap_or("127.0.0.1"))),
        format!("port={}", url.port().unwrap_or(5432)),
        format!("user={}", quote(&decode(url.username()))),
    ];
    if let Some(password) = url.password() {
        parts.push(format!("password={}", quote(&decode(password))));
    }
    parts.join(" ")
}

/// Stops the server running on `data_dir`, if any (one `start_replica` left running).
pub fn stop_data_dir(data_dir: &Path, bin_dir: Option<&Path>) -> anyhow::Result<()> {
    if running_port(data_dir).is_none() {
        return Ok(());
    }
    let bin_dir = find_bin_dir(bin_dir)?;
    let run_as = server_user()?;
    run(
        server_command(&bin_dir, "pg_ctl", run_as.as_deref())
            .arg("-D")
            .arg(data_dir)
            .args(["-m", "fast", "-w", "-t", "60", "stop"]),
        "pg_ctl stop",
    )
}
