//! Settings of a running service. The command line (`main.rs`) fills them from flags and
//! environment variables; tests build them directly.

use std::net::IpAddr;
use std::time::Duration;

#[derive(Clone)]
pub struct Settings {
    /// Where to connect. Secret: never logged (see `Debug`).
    pub database_url: String,
    /// Streaming replicas that serve reads (none: the primary serves everything). Secret.
    pub database_read_urls: Vec<String>,
    /// The longest a read carrying a consistency token waits for a replica to replay past
    /// it before the primary serves it.
    pub read_wait: Duration,
    pub host: String,
    /// 0 picks a free port (tests).
    pub port: u16,
    pub workers: Option<usize>,
    pub pool_max_connections: u32,
    pub pool_acquire_timeout: Duration,
    pub statement_timeout: Duration,
    /// The time one resolve request may spend in the database, all its names together
    /// (kept below `statement_timeout`).
    pub resolve_budget: Duration,
    pub require_read_token: bool,
    pub body_limit_bytes: usize,
    /// The longest pause while a request body arrives.
    pub body_idle_timeout: Duration,
    /// The longest a request body may take to arrive (but an import's).
    pub body_timeout: Duration,
    /// The longest a client may take nothing of an answer before its connection is closed.
    pub answer_idle_timeout: Duration,
    /// The longest an import's body may take to arrive.
    pub import_body_timeout: Duration,
    /// The largest import body, in bytes (it is kept in a temporary file until it is whole).
    pub import_max_bytes: u64,
    /// Imports received or written at once; more get 429.
    pub max_concurrent_imports: usize,
    /// The most records one merge may move: a merge is one transaction, and the change feed
    /// shows nothing newer to anyone until it ends.
    pub merge_max_records: u64,
    /// A session idle inside a transaction this long is ended by PostgreSQL, so nothing can
    /// hold locks or the change feed's horizon by stalling.
    pub idle_in_transaction_timeout: Duration,
    pub shutdown_timeout: Duration,
    /// Between SIGTERM and closing the listener: `/readyz` answers 503, requests are served.
    pub drain: Duration,
    pub rate_limits: RateSettings,
    /// The share of slots costly requests draw on (see `api::costly`).
    pub costly: CostlySettings,
    /// Origins allowed to call from a browser (CORS); none: no CORS headers at all.
    pub cors_origins: Vec<String>,
    /// Serve `/metrics` without a token (by default it needs a `read` token).
    pub metrics_open: bool,
    /// Also serve `/metrics`, without a token, on this address (port 0 picks one).
    pub metrics_address: Option<(String, u16)>,
    /// Whether to apply migrations at start.
    pub migrate: bool,
}

impl Settings {
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            database_read_urls: Vec::new(),
            read_wait: Duration::from_millis(500),
            host: "127.0.0.1".into(),
            port: 8080,
            workers: None,
            pool_max_connections: 16,
            pool_acquire_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(10),
            resolve_budget: Duration::from_secs(3),
            require_read_token: false,
            body_limit_bytes: 1024 * 1024,
            body_idle_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            answer_idle_timeout: Duration::from_secs(10),
            import_body_timeout: Duration::from_secs(600),
            import_max_bytes: 4 * 1024 * 1024 * 1024,
            max_concurrent_imports: 2,
            merge_max_records: 10_000,
            idle_in_transaction_timeout: Duration::from_secs(15),
            shutdown_timeout: Duration::from_secs(30),
            drain: Duration::ZERO,
            rate_limits: Default::default(),
            costly: Default::default(),
            metrics_open: false,
            cors_origins: Vec::new(),
            metrics_address: None,
            migrate: true,
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field(
                "database_read_urls",
                &self
                    .database_read_urls
                    .iter()
                    .map(|url| redact_url(url))
                    .collect::<Vec<_>>(),
            )
            .field("read_wait", &self.read_wait)
            .field("drain", &self.drain)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("workers", &self.workers)
            .field("pool_max_connections", &self.pool_max_connections)
            .field("pool_acquire_timeout", &self.pool_acquire_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .field("resolve_budget", &self.resolve_budget)
            .field("require_read_token", &self.require_read_token)
            .field("body_limit_bytes", &self.body_limit_bytes)
            .field("body_idle_timeout", &self.body_idle_timeout)
            .field("answer_idle_timeout", &self.answer_idle_timeout)
            .field("body_timeout", &self.body_timeout)
            .field("import_body_timeout", &self.import_body_timeout)
            .field("import_max_bytes", &self.import_max_bytes)
            .field("max_concurrent_imports", &self.max_concurrent_imports)
            .field("merge_max_records", &self.merge_max_records)
            .field(
                "idle_in_transaction_timeout",
                &self.idle_in_transaction_timeout,
            )
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("rate_limits", &self.rate_limits)
            .field("costly", &self.costly)
            .field("metrics_open", &self.metrics_open)
            .field("cors_origins", &self.cors_origins)
            .field("metrics_address", &self.metrics_address)
            .field("migrate", &self.migrate)
            .finish()
    }
}

/// How much each caller may do (see `api::limits`); 0 turns a limit off.
#[derive(Debug, Clone)]
pub struct RateSettings {
    /// Requests per second from one address (and as many at once).
    pub per_address: u32,
    /// Requests per second with one token (and as many at once).
    pub per_token: u32,
    /// Searches and analyses per minute from one address.
    pub costly_per_minute: u32,
    /// Failed authentications per minute from one address.
    pub failed_auth_per_minute: u32,
    /// Long polls of the change feed waiting at once from one address.
    pub long_polls_per_address: u32,
    /// Long polls of the change feed waiting at once in this process.
    pub long_polls: u32,
    /// The balancers whose `X-Forwarded-For` is believed (none by default: the peer is the
    /// client).
    pub trusted_proxies: TrustedProxies,
}

impl Default for RateSettings {
    fn default() -> Self {
        Self {
            per_address: 200,
            per_token: 100,
            costly_per_minute: 120,
            failed_auth_per_minute: 20,
            long_polls_per_address: 8,
            long_polls: 256,
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// Addresses and networks (`10.0.0.1`, `10.0.0.0/8`, `::1`), written comma-separated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    pub fn contains(&self, address: &IpAddr) -> bool {
        let address = canonical(*address);
        self.0.iter().any(|net| net.contains(&address))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::str::FromStr for TrustedProxies {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<ipnet::IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| format!("`{part}` is neither an IP address nor a CIDR network"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is the IPv4 address.
pub fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// How many slots, how many per caller, and how long a turn may be awaited.
#[derive(Debug, Clone, Copy)]
pub struct CostlySettings {
    /// Costly requests served at once; 0: a quarter of the pool's connections (at least 1).
    pub slots: usize,
    /// Of those, the most one caller may hold (at least 1).
    pub per_caller: usize,
    /// The longest a request waits for its turn before it is told to retry.
    pub wait: Duration,
}

impl Default for CostlySettings {
    fn default() -> Self {
        Self {
            slots: 0,
            per_caller: 2,
            wait: Duration::from_secs(5),
        }
    }
}

impl CostlySettings {
    /// The slots for a pool of `pool_size` connections: never all of them.
    pub fn slots_for(&self, pool_size: u32) -> usize {
        let pool = usize::try_from(pool_size).unwrap_or(usize::MAX);
        match self.slots {
            0 => (pool / 4).max(1),
            n => n.min(pool.saturating_sub(1)).max(1),
        }
    }
}

/// The URL with its password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/chancery"),
            "postgres://app:***@db:5432/chancery"
        );
        assert_eq!(
            redact_url("postgres://db/chancery"),
            "postgres://db/chancery"
        );
        assert!(!format!("{:?}", Settings::new("postgres://a:pw@h/d")).contains("pw"));
    }

    #[test]
    fn trusted_proxies_are_addresses_and_networks() {
        let parse = |text: &str| text.parse::<TrustedProxies>();
        let proxies = parse(" 127.0.0.1, 10.1.2.3/16 ,::1,").unwrap_or_default();
        for inside in [
            "127.0.0.1",
            "10.1.0.1",
            "10.1.255.255",
            "::1",
            "::ffff:127.0.0.1",
        ] {
            let address = inside.parse().unwrap_or_else(|e| panic!("{e}"));
            assert!(proxies.contains(&address), "{inside}");
        }
        for outside in ["127.0.0.2", "10.2.0.1", "::2"] {
            let address = outside.parse().unwrap_or_else(|e| panic!("{e}"));
            assert!(!proxies.contains(&address), "{outside}");
        }
        assert_eq!(parse(""), Ok(TrustedProxies::default()));
        for bad in ["localhost", "10.0.0.0/33", "1.2.3"] {
            assert!(parse(bad).is_err_and(|e| e.contains(bad)), "{bad}");
        }
    }
}
