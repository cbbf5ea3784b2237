//! The connection pool and the schema migrations.

use std::str::FromStr;

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
    let timeout_ms = settings.statement_timeout.as_millis().to_string();
    let idle_ms = settings.idle_in_transaction_timeout.as_millis().to_string();
    let options = PgConnectOptions::from_str(&settings.database_url)
        .context("DATABASE_URL is not a valid PostgreSQL URL")?
        .application_name("chancery")
        .options([
            ("statement_timeout", timeout_ms.as_str()),
            ("lock_timeout", timeout_ms.as_str()),
            ("idle_in_transaction_session_timeout", idle_ms.as_str()),
        ]);
    Ok(PgPoolOptions::new()
        .max_connections(settings.pool_max_connections)
        .min_connections(0)
        .acquire_timeout(settings.pool_acquire_timeout)
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
