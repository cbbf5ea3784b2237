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
use tokio::sync::watch;

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
    replicas: Vec<Replica>,
    started: Instant,
    next: AtomicUsize,
    /// The longest a read waits for a replica to replay past its token.
    wait: Duration,
    /// How far the primary's log is known to reach: a token beyond it was never issued.
    primary_at: AtomicU64,
    /// The last time the primary was asked, one question at a time (see `issued`).
    asked: tokio::sync::Mutex<Option<Asked>>,
}

/// One replica: its pool, and what reads know of it without holding a connection.
struct Replica {
    pool: Arc<Recycler>,
    /// Until when (milliseconds after `started`) it is passed over after a failure, so that
    /// a replica that is down costs one read a second, not every read.
    down_until: AtomicU64,
    /// How far it has replayed, as last seen; every change wakes the reads waiting for it.
    replayed: watch::Sender<Option<Lsn>>,
    /// Held by the one waiting read that asks the replica how far it has replayed, so that
    /// any number of reads waiting for it cost one connection, for one short question at a
    /// time. Holds when it last asked.
    asking: tokio::sync::Mutex<Option<Instant>>,
}

/// When the primary was last asked for its position, and whether it answered.
#[derive(Clone, Copy)]
struct Asked {
    at: Instant,
    answered: bool,
}

/// A token the primary's log has not reached: no write response gave it.
#[derive(Debug)]
pub struct Unissued;

/// How often reads waiting for a replica ask again how far it has replayed.
const POLL: Duration = Duration::from_millis(10);
/// How long a replica that failed is passed over before a read tries it again; also how
/// long tokens are taken unchecked after the primary did not say where it is.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// The longest a read waits for the primary to say where its log is: as long as it would
/// wait for a connection to it, so that a busy primary (whose answer is then all the more
/// needed) is not taken for one that cannot tell.
const ASK_PRIMARY: Duration = Duration::from_secs(2);

impl Pools {
    pub fn new(primary: PgPool, replicas: Vec<PgPool>, wait: Duration) -> Self {
        Self {
            primary: Recycler::new(primary),
            replicas: replicas
                .into_iter()
                .map(|pool| Replica {
                    pool: Recycler::new(pool),
                    down_until: AtomicU64::new(0),
                    replayed: watch::Sender::new(None),
                    asking: tokio::sync::Mutex::new(None),
                })
                .collect(),
            started: Instant::now(),
            next: AtomicUsize::new(0),
            wait,
            primary_at: AtomicU64::new(0),
            asked: tokio::sync::Mutex::new(None),
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
        self.replicas.iter().map(|replica| replica.pool.pool())
    }

    /// The primary's connections waiting for the next read outside sqlx's pool.
    pub fn stashed(&self) -> usize {
        self.primary.counts().0
    }

    /// A connection for a read only the primary can serve.
    pub async fn primary(&self) -> Result<Lease, sqlx::Error> {
        self.primary.acquire().await
    }

    /// Notes a position the primary's log has reached (a write's token).
    pub fn primary_reached(&self, lsn: Lsn) {
        self.primary_at.fetch_max(lsn.0, Ordering::Relaxed);
    }

    /// Whether the primary's log has reached `token`, so that a write may have given it.
    /// Cheap: the primary is asked only for a token beyond what is known, by one read at a
    /// time, and its answer serves every read that came before the question. When the
    /// primary does not answer, tokens are taken as they are (reads then wait as before).
    pub async fn issued(&self, token: Lsn) -> Result<(), Unissued> {
        if token.0 <= self.primary_at.load(Ordering::Relaxed) {
            return Ok(());
        }
        let came = Instant::now();
        let mut asked = self.asked.lock().await;
        if token.0 <= self.primary_at.load(Ordering::Relaxed) {
            return Ok(());
        }
        match *asked {
            // Asked since this read came: the answer holds for it.
            Some(Asked { at, answered }) if at >= came => {
                return if answered { Err(Unissued) } else { Ok(()) };
            }
            Some(Asked {
                at,
                answered: false,
            }) if at.elapsed() < RETRY_AFTER => return Ok(()),
            _ => {}
        }
        let at = Instant::now();
        let answer = tokio::time::timeout(ASK_PRIMARY, position(self.primary.pool())).await;
        let answered = match answer {
            Ok(Ok(lsn)) => {
                self.primary_reached(lsn);
                true
            }
            Ok(Err(error)) => {
                tracing::warn!(error = %error, "the primary did not say where its log is");
                false
            }
            Err(_) => false,
        };
        *asked = Some(Asked { at, answered });
        if !answered || token.0 <= self.primary_at.load(Ordering::Relaxed) {
            return Ok(());
        }
        Err(Unissued)
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
        self.replicas[index]
            .down_until
            .store(until, Ordering::Relaxed);
    }

    /// A connection to replica `index` once it has replayed past `after`, or nothing if it
    /// is unreachable or still behind at `deadline`. The wait holds no connection; the
    /// question asked once the replica is known to be far enough doubles as a health check,
    /// so a connection the replica dropped is never handed to a read. A replica still
    /// behind at the deadline is lagging, not down: it is not passed over.
    async fn caught_up(
        &self,
        index: usize,
        after: Option<Lsn>,
        deadline: Instant,
    ) -> Option<Lease> {
        if self.elapsed_ms() < self.replicas[index].down_until.load(Ordering::Relaxed) {
            return None;
        }
        if let Some(after) = after
            && !self.replayed_past(index, after, deadline).await?
        {
            return None;
        }
        let replica = &self.replicas[index];
        let mut conn = match replica.pool.acquire().await {
            Ok(conn) => conn,
            Err(error) => {
                tracing::warn!(replica = index + 1, error = %error, "replica unreachable; reading elsewhere");
                self.pass_over(index);
                return None;
            }
        };
        match replayed(&mut conn).await {
            Ok(replayed) => {
                replica.saw(replayed);
                match (after, replayed) {
                    (None, _) => Some(conn),
                    (Some(after), Some(replayed)) if replayed >= after => Some(conn),
                    _ => None,
                }
            }
            Err(error) => {
                tracing::warn!(replica = index + 1, error = %error, "replica failed; reading elsewhere");
                conn.close_on_drop();
                self.pass_over(index);
                None
            }
        }
    }

    /// Waits, holding no connection, until replica `index` is known to have replayed past
    /// `after` (`Some(true)`) or `deadline` comes (`Some(false)`); `None` when it failed.
    /// One waiting read at a time asks the replica; the others wake on its answer.
    async fn replayed_past(&self, index: usize, after: Lsn, deadline: Instant) -> Option<bool> {
        let replica = &self.replicas[index];
        let mut seen = replica.replayed.subscribe();
        loop {
            if seen.borrow_and_update().is_some_and(|lsn| lsn >= after) {
                return Some(true);
            }
            if Instant::now() >= deadline {
                return Some(false);
            }
            let Ok(mut asked) = replica.asking.try_lock() else {
                // Another read asks; its answer (or the next turn to ask) comes within POLL.
                let _ = tokio::time::timeout_at(
                    deadline.min(Instant::now() + POLL).into(),
                    seen.changed(),
                )
                .await;
                continue;
            };
            if let Some(at) = *asked {
                tokio::time::sleep_until(deadline.min(at + POLL).into()).await;
                if Instant::now() >= deadline {
                    return Some(false);
                }
            }
            *asked = Some(Instant::now());
            // A connection for one question, given back at once; a busy pool is a wait
            // that ends with the deadline, not a failure.
            let answer = tokio::time::timeout_at(deadline.into(), async {
                let mut conn = replica.pool.acquire().await?;
                let answer = replayed(&mut conn).await;
                match &answer {
                    Ok(_) => conn.release(),
                    Err(_) => conn.close_on_drop(),
                }
                answer
            })
            .await;
            match answer {
                Ok(Ok(replayed)) => replica.saw(replayed),
                Ok(Err(error)) => {
                    tracing::warn!(replica = index + 1, error = %error, "replica failed; reading elsewhere");
                    self.pass_over(index);
                    return None;
                }
                Err(_) => return Some(false),
            }
        }
    }
}

impl Replica {
    /// Records how far the replica has replayed, waking the reads that wait for it.
    fn saw(&self, replayed: Option<Lsn>) {
        self.replayed.send_if_modified(|known| {
            let newer = replayed.is_some() && replayed != *known;
            if newer {
                *known = replayed;
            }
            newer
        });
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
