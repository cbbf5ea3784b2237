//! The connection pool and the schema migrations.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, migrate::Migrator};

use crate::config::Settings;

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// A pool that does not connect until it is used, with bounded waits everywhere: a request
/// never waits longer than `pool_acquire_timeout` for a connection, nor a statement longer
/// than `statement_timeout`, nor a transaction stay idle longer than
/// `idle_in_transaction_timeout`.
pub fn pool(settings: &Settings) -> anyhow::Result<PgPool> {
    pool_for(
        &settings.database_url,
        settings,
        settings.pool_acquire_timeout,
    )
    .context("DATABASE_URL is not a valid PostgreSQL URL")
}

/// The replicas' pools, in the order given. A replica that is down holds a read up at most
/// half a second (then the read goes elsewhere), not the primary's acquire timeout.
pub fn read_pools(settings: &Settings) -> anyhow::Result<Vec<PgPool>> {
    let timeout = settings
        .pool_acquire_timeout
        .min(Duration::from_millis(500));
    settings
        .database_read_urls
        .iter()
        .enumerate()
        .map(|(i, url)| {
            pool_for(url, settings, timeout).with_context(|| {
                format!(
                    "DATABASE_READ_URL's entry {} is not a valid PostgreSQL URL",
                    i + 1
                )
            })
        })
        .collect()
}

fn pool_for(url: &str, settings: &Settings, acquire_timeout: Duration) -> anyhow::Result<PgPool> {
    let timeout_ms = settings.statement_timeout.as_millis().to_string();
    let idle_ms = settings.idle_in_transaction_timeout.as_millis().to_string();
    let options = PgConnectOptions::from_str(url)?
        .application_name("chancery")
        .options([
            ("statement_timeout", timeout_ms.as_str()),
            ("lock_timeout", timeout_ms.as_str()),
            ("idle_in_transaction_session_timeout", idle_ms.as_str()),
            // The working set is in memory, where a random page costs what a sequential one
            // does (PostgreSQL's own advice for cached data). At the default of 4, the
            // planner scans small tables whole and hash-joins them, which made a read by id
            // cost PostgreSQL twice the index plan's CPU (BENCHMARKS.md).
            ("random_page_cost", "1.1"),
            // Whatever the database's default: the triggers that keep `actor_reads` need
            // each statement to see what committed before it (see its migration). The
            // backslash keeps the space inside the value in the startup packet's options.
            ("default_transaction_isolation", r"read\ committed"),
        ]);
    Ok(PgPoolOptions::new()
        .max_connections(settings.pool_max_connections)
        .min_connections(0)
        .acquire_timeout(acquire_timeout)
        .test_before_acquire(false)
        .connect_lazy_with(options))
}

/// Applies the migrations, then derives what SQL cannot: the folded names of actors written
/// before the name index existed.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR
        .run(pool)
        .await
        .context("applying database migrations")?;
    crate::store::actors::index_unnamed(pool)
        .await
        .context("indexing the names of actors")?;
    Ok(())
}

/// Whether every migration this build knows has been applied.
pub async fn migrations_applied(pool: &PgPool) -> Result<bool, sqlx::Error> {
    let applied: Vec<i64> = sqlx::query_scalar!(
        r#"SELECT version AS "version!" FROM _sqlx_migrations WHERE success ORDER BY version"#
    )
    .fetch_all(pool)
    .await?;
    Ok(MIGRATOR
        .iter()
        .all(|m| applied.binary_search(&m.version).is_ok()))
}

/// Why the primary cannot serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotReady {
    Unreachable,
    Unmigrated,
}

impl std::fmt::Display for NotReady {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Unreachable => "the database is unreachable",
            Self::Unmigrated => "database migrations are not all applied",
        })
    }
}

/// Whether the primary can serve: it answers within a second and every migration is
/// applied. `Ok` holds its WAL position.
pub async fn readiness(pool: &PgPool) -> Result<Option<crate::replicas::Lsn>, NotReady> {
    let checked = tokio::time::timeout(Duration::from_secs(1), migrations_applied(pool)).await;
    match checked {
        Ok(Ok(true)) => Ok(crate::replicas::position(pool).await.ok()),
        Ok(Ok(false)) => Err(NotReady::Unmigrated),
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "readiness check failed");
            Err(NotReady::Unreachable)
        }
        Err(_) => Err(NotReady::Unreachable),
    }
}

/// Whether a replica can serve reads, and how far it has replayed; within a second, so a
/// replica that hangs does not hang readiness.
pub async fn replica_readiness(pool: &PgPool) -> Result<Option<crate::replicas::Lsn>, String> {
    match tokio::time::timeout(Duration::from_secs(1), crate::replicas::replayed_by(pool)).await {
        Ok(Ok(position)) => Ok(position),
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "a read replica is unavailable");
            Err("the replica is unreachable".into())
        }
        Err(_) => Err("the replica did not answer within a second".into()),
    }
}
