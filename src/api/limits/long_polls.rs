//! Long polls of the change feed waiting at once, per client and per process: each one
//! polls the database every fraction of a second, so thousands from one caller would take
//! the processor. Past either bound a long poll is refused at once (429, `Retry-After`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::error::ApiError;

/// How long a refused long poll is told to wait.
const RETRY_AFTER_SECONDS: u64 = 1;

#[derive(Default)]
struct Waiting {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

pub(super) struct LongPolls {
    /// 0: no bound.
    per_client: usize,
    total: usize,
    waiting: Arc<Mutex<Waiting>>,
}

/// A long poll's place, given back when it is dropped.
pub struct LongPoll {
    client: IpAddr,
    waiting: Arc<Mutex<Waiting>>,
}

impl LongPolls {
    pub(super) fn new(per_client: u32, total: u32) -> Self {
        Self {
            per_client: per_client as usize,
            total: total as usize,
            waiting: Arc::default(),
        }
    }

    pub(super) fn enter(&self, client: IpAddr) -> Result<LongPoll, ApiError> {
        let mut waiting = self
            .waiting
            .lock()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("long polls' count poisoned")))?;
        let mine = waiting.by_client.get(&client).copied().unwrap_or(0);
        let refused = if self.per_client > 0 && mine >= self.per_client {
            Some(format!(
                "{} long polls from this address are already waiting",
                self.per_client
            ))
        } else if self.total > 0 && waiting.total >= self.total {
            Some(format!("{} long polls are already waiting", self.total))
        } else {
            None
        };
        if let Some(why) = refused {
            return Err(ApiError::TooManyRequests {
                detail: format!("{why}; retry after the delay given, or read without `wait`"),
                retry_after: RETRY_AFTER_SECONDS,
            });
        }
        waiting.total += 1;
        *waiting.by_client.entry(client).or_default() += 1;
        Ok(LongPoll {
            client,
            waiting: Arc::clone(&self.waiting),
        })
    }
}

impl Drop for LongPoll {
    fn drop(&mut self) {
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.total = waiting.total.saturating_sub(1);
            if let Some(n) = waiting.by_client.get_mut(&self.client) {
                *n -= 1;
                if *n == 0 {
                    waiting.by_client.remove(&self.client);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> IpAddr {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn long_polls_are_bounded_per_client_and_in_all() {
        let polls = LongPolls::new(2, 3);
        let (a, b, c) = (
            address("192.0.2.1"),
            address("192.0.2.2"),
            address("192.0.2.3"),
        );
        let first = polls.enter(a);
        let second = polls.enter(a);
        assert!(first.is_ok() && second.is_ok());
        assert!(polls.enter(a).is_err(), "a third from one client");
        let third = polls.enter(b);
        assert!(third.is_ok());
        assert!(polls.enter(c).is_err(), "a fourth in all");
        drop(first);
        let fourth = polls.enter(c);
        assert!(fourth.is_ok(), "a place given back is taken again");
        assert!(polls.enter(a).is_err());
    }

    #[test]
    fn zero_is_no_bound() {
        let polls = LongPolls::new(0, 0);
        let held: Vec<_> = (0..100).map(|_| polls.enter(address("::1"))).collect();
        assert!(held.iter().all(Result::is_ok));
    }
}
