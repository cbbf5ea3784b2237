//! The share of the service that costly work draws on: analyses, explorer pages, resolve
//! batches and exports. A few slots, fewer than the pool's connections, so cheap reads always
//! find one; each caller (client address) holds at most a few of them, so one caller cannot
//! take every slot; a request waits a bounded time for its turn, then gets a 503 with
//! `Retry-After`.
//!
//! A [`CostlyPermit`] is an owned value: a handler holds it across its queries and CPU work,
//! and a streamed answer can move it into its body to hold it until the answer is written.
//!
//! The CPU work itself (computing an analysis, writing a large answer) runs on a thread of its
//! own at a lower priority than the workers: a cheap read never waits for a worker busy with
//! an analysis, and the scheduler gives the workers the cores first. There are no more such
//! threads than turns, and each ends with its work, giving its memory back.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::HttpRequest;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use crate::config::CostlySettings;
use crate::error::ApiError;

/// Callers remembered at most before those holding and awaiting nothing are forgotten.
const MAX_CALLERS: usize = 4096;

/// How much lower the costly threads' priority is than the workers' (`nice`, out of 19).
const NICENESS: i32 = 10;

/// The gate, one per process (in `AppState`).
pub struct CostlyGate {
    slots: Arc<Semaphore>,
    per_caller: usize,
    wait: Duration,
    /// Each caller's own line: its requests past `per_caller` wait here, holding no slot.
    callers: Mutex<HashMap<IpAddr, Arc<Semaphore>>>,
}

/// A turn at costly work: a slot and one of its caller's, given back when dropped.
#[derive(Debug)]
pub struct CostlyPermit {
    _slot: OwnedSemaphorePermit,
    _caller: OwnedSemaphorePermit,
}

impl CostlyGate {
    pub fn new(settings: CostlySettings, pool_size: u32) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(settings.slots_for(pool_size))),
            per_caller: settings.per_caller.max(1),
            wait: settings.wait,
            callers: Mutex::new(HashMap::new()),
        }
    }

    /// A turn for the request's caller (by client address).
    pub async fn enter(&self, req: &HttpRequest) -> Result<CostlyPermit, ApiError> {
        self.enter_as(super::limits::client_key(req)).await
    }

    /// A turn for `caller`: first one of its own, then a shared slot, within the wait.
    pub async fn enter_as(&self, caller: IpAddr) -> Result<CostlyPermit, ApiError> {
        let line = self.line(caller)?;
        let turn = async {
            let caller = line.acquire_owned().await.ok()?;
            let slot = self.slots.clone().acquire_owned().await.ok()?;
            Some(CostlyPermit {
                _slot: slot,
                _caller: caller,
            })
        };
        match tokio::time::timeout(self.wait, turn).await {
            Ok(Some(permit)) => Ok(permit),
            _ => Err(busy()),
        }
    }

    fn line(&self, caller: IpAddr) -> Result<Arc<Semaphore>, ApiError> {
        let mut callers = self
            .callers
            .lock()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("the costly gate is poisoned")))?;
        if callers.len() >= MAX_CALLERS {
            // A line nobody holds or waits in is referenced by the map alone.
            callers.retain(|_, line| Arc::strong_count(line) > 1);
        }
        Ok(callers
            .entry(caller)
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_caller)))
            .clone())
    }

    /// Slots free now (for tests and metrics).
    pub fn available(&self) -> usize {
        self.slots.available_permits()
    }
}

/// Runs `work` on a costly thread and waits for it (the caller holds a turn).
pub async fn run<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let (done, result) = tokio::sync::oneshot::channel();
    spawn(move || {
        let _ = done.send(work());
    })
    .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("starting a costly thread")))?;
    result
        .await
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("a costly computation panicked")))
}

/// Starts `work` on a costly thread of its own, at [`NICENESS`].
pub fn spawn(work: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("costly".into())
        .spawn(move || {
            // Per thread on Linux: the workers keep their priority.
            if let Err(error) = rustix::process::nice(NICENESS) {
                tracing::warn!(%error, "a costly thread keeps the workers' priority");
            }
            work();
        })
        .map(drop)
}

fn busy() -> ApiError {
    ApiError::Unavailable(
        "other costly requests (analyses, pages, resolve batches, exports) are being served; \
         retry shortly"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(slots: usize, per_caller: usize) -> CostlyGate {
        let settings = CostlySettings {
            slots,
            per_caller,
            wait: Duration::from_millis(50),
        };
        CostlyGate::new(settings, 16)
    }

    fn address(last: u8) -> IpAddr {
        IpAddr::from([127, 0, 0, last])
    }

    #[test]
    fn slots_are_fewer_than_the_pool_connections() {
        let slots = |slots, pool| {
            CostlySettings {
                slots,
                ..Default::default()
            }
            .slots_for(pool)
        };
        assert_eq!(slots(0, 16), 4);
        assert_eq!(slots(0, 2), 1);
        assert_eq!(slots(20, 16), 15);
        assert_eq!(slots(3, 16), 3);
    }

    #[tokio::test]
    async fn one_caller_cannot_hold_every_slot() {
        let gate = gate(3, 2);
        let first = gate.enter_as(address(1)).await;
        let second = gate.enter_as(address(1)).await;
        assert!(first.is_ok() && second.is_ok());
        // The caller's third waits in its own line and is told to retry…
        let third = gate.enter_as(address(1)).await;
        assert!(matches!(third, Err(ApiError::Unavailable(_))), "{third:?}");
        // …while another caller still finds the slot it left.
        let other = gate.enter_as(address(2)).await;
        assert!(other.is_ok(), "{other:?}");
        assert_eq!(gate.available(), 0);
    }

    #[tokio::test]
    async fn a_turn_comes_back_when_its_permit_is_dropped() {
        let gate = gate(1, 1);
        let held = gate.enter_as(address(1)).await;
        assert!(held.is_ok());
        assert!(
            gate.enter_as(address(2)).await.is_err(),
            "every slot is held"
        );
        drop(held);
        assert!(gate.enter_as(address(2)).await.is_ok());
        assert!(
            gate.enter_as(address(1)).await.is_ok(),
            "its own line is free again"
        );
    }

    #[tokio::test]
    async fn work_runs_on_a_costly_thread_below_the_callers_priority() {
        let here = rustix::process::getpriority_process(None).unwrap_or_else(|e| panic!("{e}"));
        let there = run(|| {
            let name = std::thread::current().name().map(str::to_owned);
            (name, rustix::process::getpriority_process(None).ok())
        })
        .await;
        let (name, priority) = there.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(name.as_deref(), Some("costly"));
        assert_eq!(priority, Some((here + NICENESS).min(19)));
        // A computation that panics is an error to its caller.
        let failed: Result<(), ApiError> = run(|| panic!("a bug")).await;
        assert!(matches!(failed, Err(ApiError::Internal(_))), "{failed:?}");
    }

    #[test]
    fn the_permit_can_move_into_a_streamed_body() {
        fn owned<T: Send + 'static>() {}
        owned::<CostlyPermit>();
    }
}
