//! Rate limits, kept in this process's memory (so per process: behind a balancer with N
//! replicas a caller gets up to N times each). The client is the peer, or behind a trusted
//! balancer the address it forwards ([`client_address`]). Four buckets, each a GCRA limiter
//! (governor):
//!
//! - every request, by client address (an IPv6 address by its /64, which one host holds);
//! - requests authenticated by a token, by token, on top of the address's;
//! - costly reads (a name search, `q=`, the analyses and the explorer's pages), by address,
//!   more tightly, told by the route the router matches, however the path is encoded;
//! - failed authentications, by address, most tightly: past them, a request from that address
//!   that carries a token is refused unread until the bucket lets another attempt through
//!   (at 20 a minute, every 3 s), so guessing tokens costs the service next to nothing. A
//!   whole token that authenticated lately is still let through, so a guesser sharing an
//!   address (a NAT, a proxy) does not lock out the token holders behind it.
//!
//! Beside them, the change feed's long polls waiting at once are bounded per client and per
//! process ([`RateLimits::long_poll`]).
//!
//! Answers carry `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers);
//! a refusal is a 429 with `Retry-After`.

mod client;
mod long_polls;

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpRequest, ResponseError, web};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota};
use rand::RngCore;
use sha2::{Digest, Sha256};

use self::client::Client;
pub use self::client::{client_address, client_key};
pub use self::long_polls::LongPoll;
use self::long_polls::LongPolls;
use crate::api::RouteTable;
pub use crate::config::RateSettings;
use crate::config::TrustedProxies;
use crate::error::ApiError;

type Limiter<K> = DefaultKeyedRateLimiter<K, StateInformationMiddleware>;

/// One named bucket per key.
struct Policy<K: std::hash::Hash + Eq + Clone> {
    name: &'static str,
    quota: Quota,
    limiter: Limiter<K>,
}

/// What one check found, for the response's headers.
#[derive(Debug, Clone)]
struct Standing {
    policy: &'static str,
    quota: Quota,
    remaining: u32,
}

impl<K: std::hash::Hash + Eq + Clone> Policy<K> {
    fn new(name: &'static str, quota: Option<Quota>) -> Option<Self> {
        quota.map(|quota| Self {
            name,
            quota,
            limiter: governor::RateLimiter::dashmap(quota)
                .with_middleware::<StateInformationMiddleware>(),
        })
    }

    /// Takes one request from `key`'s bucket; refused, says how long until one is free.
    /// Either way, the standing goes into `standings` for the response's headers.
    fn take(&self, key: &K, standings: &mut Vec<Standing>) -> Result<(), ApiError> {
        let (remaining, verdict) = match self.limiter.check_key(key) {
            Ok(snapshot) => (snapshot.remaining_burst_capacity(), Ok(())),
            Err(not_until) => (
                0,
                Err(self.refused(not_until.wait_time_from(DefaultClock::default().now()))),
            ),
        };
        standings.push(self.standing(remaining));
        verdict
    }

    fn standing(&self, remaining: u32) -> Standing {
        Standing {
            policy: self.name,
            quota: self.quota,
            remaining,
        }
    }

    fn refused(&self, wait: Duration) -> ApiError {
        let (count, window) = window(self.quota);
        ApiError::TooManyRequests {
            detail: format!(
                "the `{}` limit of {count} requests per {window} s is used up; retry after the \
                 delay given",
                self.name
            ),
            retry_after: wait.as_secs_f64().ceil().max(1.0) as u64,
        }
    }

    fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// A quota as "q requests per w seconds", as the headers state it.
fn window(quota: Quota) -> (u32, u64) {
    let window = quota
        .burst_size_replenished_in()
        .as_secs_f64()
        .round()
        .max(1.0);
    (quota.burst_size().get(), window as u64)
}

fn per_second(n: u32) -> Option<Quota> {
    NonZeroU32::new(n).map(Quota::per_second)
}

fn per_minute(n: u32) -> Option<Quota> {
    NonZeroU32::new(n).map(Quota::per_minute)
}

/// The four buckets, one per process: application data (`web::Data<RateLimits>`), read by
/// [`enforce`] and charged by the authentication of a token.
pub struct RateLimits {
    address: Option<Policy<IpAddr>>,
    token: Option<Policy<String>>,
    costly: Option<Policy<IpAddr>>,
    failed_auth: Option<Policy<IpAddr>>,
    /// Addresses whose failed authentications are used up, and until when.
    barred: Mutex<HashMap<IpAddr, Instant>>,
    /// Keyed digests of whole tokens that authenticated lately (never the tokens): knowing a
    /// token's lookup half, or any other part, earns nothing.
    trusted: Mutex<HashSet<[u8; 32]>>,
    /// This process's key for those digests.
    trust_key: [u8; 32],
    long_polls: LongPolls,
    trusted_proxies: TrustedProxies,
}

/// Tokens remembered as good at most; past it the memory starts again.
const MAX_TRUSTED: usize = 10_000;

/// The checks made for one request, kept in its extensions until the response is written.
#[derive(Default, Clone)]
struct Standings(Vec<Standing>);

impl RateLimits {
    pub fn new(settings: RateSettings) -> Self {
        Self {
            address: Policy::new("address", per_second(settings.per_address)),
            token: Policy::new("token", per_second(settings.per_token)),
            costly: Policy::new("costly", per_minute(settings.costly_per_minute)),
            failed_auth: Policy::new("failed-auth", per_minute(settings.failed_auth_per_minute)),
            barred: Mutex::new(HashMap::new()),
            trusted: Mutex::new(HashSet::new()),
            trust_key: {
                let mut key = [0; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                key
            },
            long_polls: LongPolls::new(settings.long_polls_per_address, settings.long_polls),
            trusted_proxies: settings.trusted_proxies,
        }
    }

    /// A place for one long poll of `req`'s client, held until it is dropped; refused (429)
    /// past the bounds per client and per process.
    pub fn long_poll(&self, req: &HttpRequest) -> Result<LongPoll, ApiError> {
        self.long_polls.enter(client_key(req))
    }

    /// Takes a request from a token's bucket (called once the token is authenticated).
    pub fn charge_token(&self, req: &HttpRequest, token: &str) -> Result<(), ApiError> {
        let Some(policy) = &self.token else {
            return Ok(());
        };
        let mut standings = Vec::new();
        let verdict = policy.take(&token.to_owned(), &mut standings);
        if let Some(all) = req.extensions_mut().get_mut::<Standings>() {
            all.0.extend(standings);
        }
        verdict
    }

    /// Remembers that a whole token authenticated (by a keyed digest of it).
    pub fn trust(&self, token: &str) {
        let digest = self.digest(token);
        if let Ok(mut trusted) = self.trusted.lock()
            && !trusted.contains(&digest)
        {
            if trusted.len() >= MAX_TRUSTED {
                trusted.clear();
            }
            trusted.insert(digest);
        }
    }

    fn is_trusted(&self, req: &ServiceRequest) -> bool {
        let Ok(Some(token)) = crate::auth::bearer(req.headers()) else {
            return false;
        };
        let digest = self.digest(token);
        self.trusted
            .lock()
            .is_ok_and(|trusted| trusted.contains(&digest))
    }

    fn digest(&self, token: &str) -> [u8; 32] {
        Sha256::new()
            .chain_update(self.trust_key)
            .chain_update(token.as_bytes())
            .finalize()
            .into()
    }

    fn barred_for(&self, address: IpAddr) -> Option<Duration> {
        let barred = self.barred.lock().ok()?;
        let until = barred.get(&address)?;
        until.checked_duration_since(Instant::now())
    }

    /// Counts a failed authentication; past the limit the address is barred from sending
    /// tokens until its bucket refills.
    fn failed(&self, address: IpAddr) {
        let Some(policy) = &self.failed_auth else {
            return;
        };
        if let Err(not_until) = policy.limiter.check_key(&address)
            && let Ok(mut barred) = self.barred.lock()
        {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            barred.insert(address, Instant::now() + wait);
        }
    }

    /// Drops the state of callers not seen lately, so memory follows the active callers.
    pub fn forget_idle(&self) {
        if let Some(p) = &self.address {
            p.forget_idle();
        }
        if let Some(p) = &self.token {
            p.forget_idle();
        }
        if let Some(p) = &self.costly {
            p.forget_idle();
        }
        if let Some(p) = &self.failed_auth {
            p.forget_idle();
        }
        if let Ok(mut barred) = self.barred.lock() {
            let now = Instant::now();
            barred.retain(|_, until| *until > now);
            barred.shrink_to_fit();
        }
    }
}

/// The documented routes that cost the database most per request: resolving names and the
/// analyses.
const COSTLY_ROUTES: [&str; 5] = [
    "/v1/resolve",
    "/v1/dyads",
    "/v1/network",
    "/v1/actors/{actor}/engagement",
    "/v1/engagement",
];

/// Name searches (`q=`), resolving names, analyses and the explorer's pages (which run the
/// analyses). Told by the route the router will match: its path once percent-decoded, as the
/// router reads it, so `/v1/%6eetwork` is `/v1/network` here as there.
fn is_costly(req: &ServiceRequest) -> bool {
    let path = req.match_info().as_str();
    let route = req
        .app_data::<web::Data<RouteTable>>()
        .and_then(|routes| routes.template(path));
    route.is_some_and(|route| COSTLY_ROUTES.contains(&&*route))
        || path == "/explore"
        || path.starts_with("/explore/")
        || form_urlencoded::parse(req.query_string().as_bytes()).any(|(name, _)| name == "q")
}

pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(limits) = req.app_data::<web::Data<RateLimits>>().cloned() else {
        return next.call(req).await.map(|r| r.map_into_boxed_body());
    };
    let client = client::find(
        req.peer_addr().map(|a| a.ip()),
        req.headers(),
        &limits.trusted_proxies,
    );
    req.extensions_mut().insert(Client(client));
    let address = client::key(client);
    let sends_token = req.headers().contains_key(header::AUTHORIZATION);
    let mut standings = Standings::default();
    let mut check = |policy: &Option<Policy<IpAddr>>| match policy {
        Some(policy) => policy.take(&address, &mut standings.0),
        None => Ok(()),
    };
    let mut verdict = check(&limits.address);
    if verdict.is_ok() && is_costly(&req) {
        verdict = check(&limits.costly);
    }
    if verdict.is_ok()
        && sends_token
        && let (Some(wait), Some(policy)) = (limits.barred_for(address), &limits.failed_auth)
        && !limits.is_trusted(&req)
    {
        standings.0.push(policy.standing(0));
        verdict = Err(policy.refused(wait));
    }
    if let Err(error) = verdict {
        let mut response = error.error_response();
        write_headers(response.headers_mut(), &standings.0);
        return Ok(req.into_response(response).map_into_boxed_body());
    }
    req.extensions_mut().insert(standings);
    let mut response = next.call(req).await?.map_into_boxed_body();
    if sends_token && response.status() == StatusCode::UNAUTHORIZED {
        limits.failed(address);
    }
    let standings = response
        .request()
        .extensions()
        .get::<Standings>()
        .cloned()
        .unwrap_or_default();
    write_headers(response.headers_mut(), &standings.0);
    Ok(response)
}

/// `RateLimit-Policy: "address";q=200;w=1` and `RateLimit: "address";r=199;t=1` for each
/// bucket the request was taken from (`t`: seconds until the bucket is full again).
fn write_headers(headers: &mut actix_web::http::header::HeaderMap, standings: &[Standing]) {
    if standings.is_empty() {
        return;
    }
    let policies: Vec<String> = standings
        .iter()
        .map(|s| {
            let (count, window) = window(s.quota);
            format!("\"{}\";q={count};w={window}", s.policy)
        })
        .collect();
    let states: Vec<String> = standings
        .iter()
        .map(|s| {
            let missing = s.quota.burst_size().get().saturating_sub(s.remaining);
            let full_in = (s.quota.replenish_interval().as_secs_f64() * f64::from(missing)).ceil();
            format!("\"{}\";r={};t={}", s.policy, s.remaining, full_in as u64)
        })
        .collect();
    for (name, value) in [
        ("ratelimit-policy", policies.join(", ")),
        ("ratelimit", states.join(", ")),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_costly_route_is_documented() {
        let table = RouteTable::from_openapi(&crate::api::openapi());
        for route in COSTLY_ROUTES {
            assert_eq!(table.template(route).as_deref(), Some(route));
        }
    }
}
