//! Handing a finished read's connection to the next read without sqlx's ping.
//!
//! sqlx 0.8 pings every connection returned to its pool: a round trip that wakes the server,
//! about a fifth of what a read by id costs (BENCHMARKS.md). The ping makes a connection safe
//! to reuse after a query's future was dropped half-way (a deadline, a caller gone); a read
//! whose statements all completed needs none. Such a read says so (`Lease::release`) and its
//! connection waits in a stash that the next read of the same pool takes first. Every other
//! connection goes back through sqlx, pinged, as before.
//!
//! What keeps it fair and bounded:
//! - while a read waits in sqlx's queue (the stash was empty when it came), finished reads
//!   give their connections back to sqlx, which hands them on in order: a read that comes
//!   later never overtakes one that waits;
//! - at most `circle` connections go round through the stash: a quarter of the pool (at
//!   least one) never does, so what waits in sqlx's queue without passing here (a write, a
//!   readiness check) always has connections coming back to it;
//! - a connection that waited in the stash for five seconds (swept twice as often), or has
//!   gone round for a minute, goes back to sqlx (pinged there, and closed past its
//!   lifetime): an idle process keeps no connection from the pool, and none escapes the
//!   pool's checks for long.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres};

/// How long a connection waits in the stash before it goes back to sqlx.
const IDLE_MAX: Duration = Duration::from_secs(5);
/// How long a connection goes round before it goes back to sqlx.
const CIRCLE_MAX: Duration = Duration::from_secs(60);

/// A pool whose finished reads hand their connections on directly.
pub struct Recycler {
    pool: PgPool,
    /// The most connections that go round through the stash.
    circle: usize,
    stash: Mutex<Stash>,
}

#[derive(Default)]
struct Stash {
    /// Oldest first.
    idle: Vec<Idle>,
    /// Connections in the circle: stashed, or taken from the stash and not back yet.
    circling: usize,
    /// Acquisitions waiting in sqlx's queue. Counted under the same lock as the stash, so a
    /// release either sees the waiter or leaves its connection where the waiter looks.
    waiting: usize,
}

struct Idle {
    conn: PoolConnection<Postgres>,
    joined: Instant,
    since: Instant,
}

impl Recycler {
    pub fn new(pool: PgPool) -> Arc<Self> {
        let size = pool.options().get_max_connections() as usize;
        let recycler = Arc::new(Self {
            circle: size - size.div_ceil(4),
            pool,
            stash: Mutex::default(),
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(sweep(Arc::downgrade(&recycler)));
        }
        recycler
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A connection: the one a finished read left most recently, or one from sqlx.
    pub async fn acquire(self: &Arc<Self>) -> Result<Lease, sqlx::Error> {
        let (taken, stale) = {
            let now = Instant::now();
            let mut stash = self.lock();
            let stale = stash.evict(now);
            let taken = stash.idle.pop();
            if taken.is_none() {
                stash.waiting += 1;
            }
            (taken, stale)
        };
        drop(stale);
        let (conn, joined) = match taken {
            Some(idle) => (idle.conn, Some(idle.joined)),
            None => {
                // Counted above; uncounted when the wait ends, or is cancelled.
                let _waiting = Waiting(self);
                (self.pool.acquire().await?, None)
            }
        };
        Ok(Lease {
            conn,
            ticket: Ticket {
                home: Arc::clone(self),
                joined,
            },
            closing: false,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Stash> {
        // The stash holds no invariant a panic elsewhere could break half-way.
        self.stash.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stashes a finished read's connection, if it is in the circle or the circle has room.
    fn put(&self, conn: PoolConnection<Postgres>, joined: Option<Instant>) {
        let now = Instant::now();
        let mut stash = self.lock();
        let queued = stash.waiting > 0;
        let joined = match joined {
            Some(joined) if !queued && now.duration_since(joined) < CIRCLE_MAX => Some(joined),
            Some(_) => {
                stash.circling = stash.circling.saturating_sub(1);
                None
            }
            None if !queued && stash.circling < self.circle => {
                stash.circling += 1;
                Some(now)
            }
            None => None,
        };
        let back_to_sqlx = match joined {
            Some(joined) => {
                stash.idle.push(Idle {
                    conn,
                    joined,
                    since: now,
                });
                None
            }
            None => Some(conn),
        };
        let stale = stash.evict(now);
        drop(stash);
        drop((back_to_sqlx, stale));
    }

    /// Leaves the circle without going back to the stash.
    fn leave(&self) {
        let mut stash = self.lock();
        stash.circling = stash.circling.saturating_sub(1);
    }

    /// How many acquisitions wait in sqlx's queue.
    pub fn waiting(&self) -> usize {
        self.lock().waiting
    }

    /// How many connections wait in the stash, and how many are in the circle.
    pub fn counts(&self) -> (usize, usize) {
        let stash = self.lock();
        (stash.idle.len(), stash.circling)
    }
}

/// One acquisition waiting in sqlx's queue, for as long as it waits (or until cancelled).
struct Waiting<'a>(&'a Recycler);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut stash = self.0.lock();
        stash.waiting = stash.waiting.saturating_sub(1);
    }
}

/// Sends what waited too long back to sqlx, also when no read comes to do it; ends with
/// the recycler.
async fn sweep(recycler: Weak<Recycler>) {
    let mut ticks = tokio::time::interval(IDLE_MAX / 2);
    loop {
        ticks.tick().await;
        let Some(recycler) = recycler.upgrade() else {
            return;
        };
        let stale = recycler.lock().evict(Instant::now());
        drop(stale);
    }
}

impl Stash {
    /// Takes out what waited too long, to go back to sqlx (outside the lock).
    fn evict(&mut self, now: Instant) -> Vec<Idle> {
        let stale = self
            .idle
            .iter()
            .take_while(|idle| now.duration_since(idle.since) >= IDLE_MAX)
            .count();
        self.circling = self.circling.saturating_sub(stale);
        self.idle.drain(..stale).collect()
    }
}

impl Drop for Recycler {
    fn drop(&mut self) {
        // Returning a connection to sqlx spawns a task; with no runtime left (a process or a
        // test ending), close the stashed ones here instead. (`detach` spawns nothing while
        // the pool keeps no minimum of connections, as `db::pool_for` sets.)
        let stash = self.stash.get_mut().unwrap_or_else(PoisonError::into_inner);
        if tokio::runtime::Handle::try_current().is_err() {
            for idle in stash.idle.drain(..) {
                drop(idle.conn.detach());
            }
        }
    }
}

/// A connection for a read. Dropped, it goes back to sqlx, which pings it first; a read that
/// completed every statement it began calls `release` instead.
pub struct Lease {
    conn: PoolConnection<Postgres>,
    ticket: Ticket,
    /// Marked failed: closed, never handed on.
    closing: bool,
}

/// A lease's place in the circle, given up when dropped.
struct Ticket {
    home: Arc<Recycler>,
    /// When the connection joined the circle, if it is in it.
    joined: Option<Instant>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if self.joined.take().is_some() {
            self.home.leave();
        }
    }
}

impl Lease {
    /// Hands the connection to the next read directly. Only once no statement is pending
    /// on it: every query future it served has completed.
    pub fn release(self) {
        let Self {
            conn,
            mut ticket,
            closing,
        } = self;
        if !closing {
            ticket.home.put(conn, ticket.joined.take());
        }
    }

    /// The connection itself, out of the circle: it goes back through sqlx when dropped.
    pub fn into_inner(self) -> PoolConnection<Postgres> {
        self.conn
    }

    /// Closes the connection rather than reusing it (the server failed it).
    pub fn close_on_drop(&mut self) {
        self.closing = true;
        self.conn.close_on_drop();
    }
}

impl Deref for Lease {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        &self.conn
    }
}

impl DerefMut for Lease {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.conn
    }
}
