//! Reads from PostgreSQL streaming replicas, and the consistency token that keeps a client
//! from reading older data than it wrote.
//!
//! Writes, and everything inside a write's transaction, stay on the primary. A read goes to
//! the replicas in turn: the first that answers and, when the request carries a token, has
//! replayed the write-ahead log past it serves the read. A replica that is down or behind is
//! passed over; when none will do within a bounded wait, the primary serves the read. So a
//! replica's failure costs a read nothing but the fallback, and a token is never read from
//! behind.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::reuse::{Lease, Recycler};

/// A position in the write-ahead log, as a token: the byte offset PostgreSQL shows as
/// `16/B374D848`, written as 16 hexadecimal digits (`00000016B374D848`), the form a write
/// response carries in `Chancery-Consistency` and a read may send back. Letters and digits
/// only, so it travels in any header unquoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Lsn(pub u64);

impl FromStr for Lsn {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if value.is_empty() || value.len() > 16 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "`{value}` is not a consistency token: up to 16 hexadecimal digits, as a write response gave"
            ));
        }
        u64::from_str_radix(value, 16)
            .map(Self)
            .map_err(|e| e.to_string())
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016X}", self.0)
    }
}

impl Lsn {
    /// From PostgreSQL's `pg_lsn - '0/0'` (a byte offset, never negative).
    fn from_offset(offset: i64) -> Self {
        Self(u64::try_from(offset).unwrap_or(0))
    }
}

/// The pattern of a token, for the OpenAPI document.
pub const LSN_PATTERN: &str = "^[0-9A-Fa-f]{1,16}$";

/// Which pool served a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadPool {
    Primary,
    /// The replica at this index of `DATABASE_READ_URL` (0-based).
    Replica(usize),
}

impl ReadPool {
    /// `primary`, `replica1`, `replica2`, …: names, never URLs (those hold secrets).
    pub fn name(self) -> String {
        match self {
            Self::Primary => "primary".to_owned(),
            Self::Replica(i) => format!("replica{}", i + 1),
        }
    }
}

/// The primary's pool and the replicas', with the rule that picks one for a read.
pub struct Pools {
    primary: Arc<Recycler>,
    replicas: Vec<Arc<Recycler>>,
    /// Per replica, until when (milliseconds after `started`) it is passed over after a
    /// failure, so that a replica that is down costs one read a second, not every read.
    down_until: Vec<AtomicU64>,
    started: Instant,
    next: AtomicUsize,
    /// The longest a read waits for a replica to replay past its token.
    wait: Duration,
}

/// How often a read waiting for a replica asks again how far it has replayed.
const POLL: Duration = Duration::from_millis(10);
/// How long a replica that failed is passed over before a read tries it again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

impl Pools {
    pub fn new(primary: PgPool, replicas: Vec<PgPool>, wait: Duration) -> Self {
        Self {
            primary: Recycler::new(primary),
            down_until: replicas.iter().map(|_| AtomicU64::new(0)).collect(),
            replicas: replicas.into_iter().map(Recycler::new).collect(),
            started: Instant::now(),
            next: AtomicUsize::new(0),
            wait,
        }
    }

    /// The name of each pool, the primary first.
    pub fn names(&self) -> Vec<String> {
        std::iter::once(ReadPool::Primary)
            .chain((0..self.replicas.len()).map(ReadPool::Replica))
            .map(ReadPool::name)
            .collect()
    }

    pub fn replicas(&self) -> impl Iterator<Item = &PgPool> {
        self.replicas.iter().map(|replica| replica.pool())
    }

    /// The primary's connections waiting for the next read outside sqlx's pool.
    pub fn stashed(&self) -> usize {
        self.primary.counts().0
    }

    /// A connection for a read only the primary can serve.
    pub async fn primary(&self) -> Result<Lease, sqlx::Error> {
        self.primary.acquire().await
    }

    /// A connection for a read that must see at least `after`.
    pub async fn read(&self, after: Option<Lsn>) -> Result<(Lease, ReadPool), sqlx::Error> {
        let count = self.replicas.len();
        if count > 0 {
            let deadline = Instant::now() + self.wait;
            let first = self.next.fetch_add(1, Ordering::Relaxed);
            for i in 0..count {
                let index = (first + i) % count;
                if let Some(conn) = self.caught_up(index, after, deadline).await {
                    return Ok((conn, ReadPool::Replica(index)));
                }
            }
        }
        Ok((self.primary().await?, ReadPool::Primary))
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Skips replica `index` for a while after it failed.
    fn pass_over(&self, index: usize) {
        let until = self.elapsed_ms() + RETRY_AFTER.as_millis() as u64;
        self.down_until[index].store(until, Ordering::Relaxed);
    }

    /// A connection to replica `index` once it has replayed past `after`, or nothing if it
    /// is unreachable or still behind at `deadline`. The question doubles as a health
    /// check, so a connection the replica dropped is never handed to a read.
    async fn caught_up(
        &self,
        index: usize,
        after: Option<Lsn>,
        deadline: Instant,
    ) -> Option<Lease> {
        if self.elapsed_ms() < self.down_until[index].load(Ordering::Relaxed) {
            return None;
        }
        let mut conn = match self.replicas[index].acquire().await {
            Ok(conn) => conn,
            Err(error) => {
                tracing::warn!(replica = index + 1, error = %error, "replica unreachable; reading elsewhere");
                self.pass_over(index);
                return None;
            }
        };
        loop {
            let replayed = match replayed(&mut conn).await {
                Ok(replayed) => replayed,
                Err(error) => {
                    tracing::warn!(replica = index + 1, error = %error, "replica failed; reading elsewhere");
                    conn.close_on_drop();
                    self.pass_over(index);
                    return None;
                }
            };
            match (after, replayed) {
                (None, _) => return Some(conn),
                (Some(after), Some(replayed)) if replayed >= after => return Some(conn),
                _ if Instant::now() + POLL > deadline => return None,
                _ => tokio::time::sleep(POLL).await,
            }
        }
    }
}

/// How far a server has replayed the log: a replica's replay position, or a server that is
/// not in recovery (a promoted replica) its own insert position.
async fn replayed(conn: &mut sqlx::PgConnection) -> Result<Option<Lsn>, sqlx::Error> {
    let offset: Option<i64> = sqlx::query_scalar(
        "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                      ELSE pg_current_wal_insert_lsn() END - '0/0'::pg_lsn)::bigint",
    )
    .fetch_one(conn)
    .await?;
    Ok(offset.map(Lsn::from_offset))
}

/// How far the server behind `pool` has replayed (see `replayed`).
pub async fn replayed_by(pool: &PgPool) -> Result<Option<Lsn>, sqlx::Error> {
    replayed(&mut *pool.acquire().await?).await
}

/// The primary's position after a commit: a read that waits for it sees the commit.
pub async fn position(pool: &PgPool) -> Result<Lsn, sqlx::Error> {
    let offset: i64 =
        sqlx::query_scalar("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint")
            .fetch_one(pool)
            .await?;
    Ok(Lsn::from_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_sixteen_hexadecimal_digits() {
        let lsn = Lsn((0x16 << 32) | 0xB374_D848);
        assert_eq!(lsn.to_string(), "00000016B374D848");
        assert_eq!("00000016B374D848".parse(), Ok(lsn));
        assert_eq!("16b374d848".parse(), Ok(lsn));
        assert_eq!("0".parse(), Ok(Lsn(0)));
        assert_eq!("FFFFFFFFFFFFFFFF".parse(), Ok(Lsn(u64::MAX)));
        assert!(Lsn(1) < Lsn(1 << 32));
    }

    #[test]
    fn anything_else_is_refused() {
        for text in [
            "",
            "16/B374D848",
            "10000000000000000",
            "g",
            " 0",
            "+1",
            "-1",
            "0x10",
        ] {
            assert!(text.parse::<Lsn>().is_err(), "{text:?} parsed");
        }
    }
}
