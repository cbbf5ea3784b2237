//! Who is calling: the peer, or behind a trusted balancer the client it names in
//! `X-Forwarded-For`. Every limit keys on it, and so may anything else that shares work out
//! between callers ([`client_address`], [`client_key`]).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use actix_web::http::header::HeaderMap;
use actix_web::{HttpMessage, HttpRequest, web};

use super::RateLimits;
use crate::config::{TrustedProxies, canonical};

/// The client found for a request, kept in its extensions by [`super::enforce`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Client(pub IpAddr);

/// The address of the client that sent `req`: the peer, unless the peer is a trusted proxy
/// (`CHANCERY_TRUSTED_PROXIES`), in which case the rightmost `X-Forwarded-For` address that
/// is not itself a trusted proxy. A client that is not a trusted proxy cannot choose it.
pub fn client_address(req: &HttpRequest) -> IpAddr {
    if let Some(Client(address)) = req.extensions().get::<Client>() {
        return *address;
    }
    let none = TrustedProxies::default();
    let proxies = req
        .app_data::<web::Data<RateLimits>>()
        .map_or(&none, |limits| &limits.trusted_proxies);
    find(req.peer_addr().map(|a| a.ip()), req.headers(), proxies)
}

/// The client as limits count it: an IPv6 address by its /64, which one host holds.
pub fn client_key(req: &HttpRequest) -> IpAddr {
    key(client_address(req))
}

pub(super) fn key(address: IpAddr) -> IpAddr {
    match canonical(address) {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        v4 => v4,
    }
}

/// The client, read from right to left through the proxies that are trusted: each trusted
/// hop vouches for the address it appended, the first untrusted one is the client. A hop
/// that cannot be read ends the walk at the last address vouched for.
pub(super) fn find(peer: Option<IpAddr>, headers: &HeaderMap, proxies: &TrustedProxies) -> IpAddr {
    let mut client = canonical(peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
    if proxies.is_empty() || !proxies.contains(&client) {
        return client;
    }
    let lines: Vec<_> = headers.get_all("x-forwarded-for").collect();
    for line in lines.into_iter().rev() {
        let Ok(line) = line.to_str() else {
            return client;
        };
        for hop in line.rsplit(',') {
            let Some(address) = parse_hop(hop.trim()) else {
                return client;
            };
            client = canonical(address);
            if !proxies.contains(&client) {
                return client;
            }
        }
    }
    client
}

/// `192.0.2.1`, `2001:db8::1`, or with a port: `192.0.2.1:443`, `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|a| a.ip()))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn client(peer: &str, forwarded: &[&str], proxies: &str) -> String {
        let mut headers = HeaderMap::new();
        for line in forwarded {
            headers.append(
                HeaderName::from_static("x-forwarded-for"),
                HeaderValue::from_str(line).unwrap_or_else(|e| panic!("{e}")),
            );
        }
        let proxies = proxies.parse().unwrap_or_else(|e| panic!("{e}"));
        find(peer.parse().ok(), &headers, &proxies).to_string()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        assert_eq!(client("192.0.2.9", &["10.0.0.1"], ""), "192.0.2.9");
        assert_eq!(client("192.0.2.9", &["10.0.0.1"], "127.0.0.1"), "192.0.2.9");
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let proxies = "127.0.0.1, 10.0.0.0/8";
        // What the client sent itself (the leftmost) is never believed over what a proxy
        // appended.
        assert_eq!(
            client("127.0.0.1", &["6.6.6.6, 192.0.2.7"], proxies),
            "192.0.2.7"
        );
        assert_eq!(
            client("127.0.0.1", &["6.6.6.6", "192.0.2.7, 10.1.1.1"], proxies),
            "192.0.2.7"
        );
        assert_eq!(
            client("::ffff:127.0.0.1", &["[2001:db8::1]:443"], proxies),
            "2001:db8::1"
        );
        // No header, or only proxies: the last proxy is the client.
        assert_eq!(client("127.0.0.1", &[], proxies), "127.0.0.1");
        assert_eq!(client("127.0.0.1", &["10.0.0.2"], proxies), "10.0.0.2");
        // A hop that cannot be read stops the walk at the last one vouched for.
        assert_eq!(
            client("127.0.0.1", &["192.0.2.7, unknown, 10.0.0.3"], proxies),
            "10.0.0.3"
        );
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64() {
        let address = "2001:db8:1:2:3:4:5:6"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(key(address).to_string(), "2001:db8:1:2::");
        let mapped = "::ffff:192.0.2.1".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(key(mapped).to_string(), "192.0.2.1");
    }
}
