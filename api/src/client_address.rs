//! The address a request comes from, as the sign-in throttle and the session list see it.
//!
//! Behind a load balancer or TLS terminator every request arrives from the proxy, which names
//! the client in `Forwarded` (RFC 7239) or `X-Forwarded-For`. Those headers are written by
//! whoever sends the request, so they are believed only as far as the hops that wrote them are
//! trusted: the chain is read from the right (the hop nearest to the service), and the first
//! address that is not one of `MCP_TRUSTED_PROXIES` is the client. Without trusted proxies the
//! headers are ignored and the TCP peer is the client.

use std::net::IpAddr;

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

/// The proxies whose forwarding headers are believed (`MCP_TRUSTED_PROXIES`: CIDRs or single
/// addresses, separated by commas or spaces).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Reads `10.0.0.0/8, 192.0.2.7, 2001:db8::/32`.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{s:?} is neither an address nor a CIDR block"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, addr: IpAddr) -> bool {
        let addr = canonical(addr);
        self.0.iter().any(|net| net.contains(&addr))
    }

    /// The client's address: the TCP peer, or — when the peer is a trusted proxy — the nearest
    /// address in the forwarding chain that is not one. A chain that cannot be read leaves the
    /// last trusted hop as the client (the request is then counted against the proxy, never
    /// against an address an attacker chose).
    pub fn client_address(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut addr = canonical(peer?);
        if !self.trusts(addr) {
            return Some(addr);
        }
        let mut chain = forwarded_chain(headers);
        while self.trusts(addr) {
            match chain.pop() {
                Some(Some(hop)) => addr = canonical(hop),
                Some(None) | None => break,
            }
        }
        Some(addr)
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:192.0.2.1`) is that IPv4 address.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

/// The forwarding chain, client first: `Forwarded`'s `for=` parameters when that header is
/// present, `X-Forwarded-For` otherwise. Each entry is `None` when it is not an address
/// (`unknown`, an obfuscated name, garbage).
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<&str> = headers
        .get_all("forwarded")
        .filter_map(|v| v.to_str().ok())
        .collect();
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| node_address(v.trim().trim_matches('"')))
            })
            .collect();
    }
    headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| node_address(hop.trim()))
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]`, `[2001:db8::1]:4711`, `2001:db8::1`.
fn node_address(node: &str) -> Option<IpAddr> {
    if let Ok(addr) = node.parse::<IpAddr>() {
        return Some(addr);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (host, port) = node.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn headers_are_believed_only_from_trusted_proxies() {
        let none = TrustedProxies::default();
        let lb = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7").unwrap();
        let xff = headers(&[("x-forwarded-for", "198.51.100.9, 10.1.2.3")]);
        // No trusted proxy: the peer, whatever the headers claim.
        assert_eq!(none.client_address(ip("10.0.0.1"), &xff), ip("10.0.0.1"));
        // A peer that is not a proxy cannot choose its address.
        assert_eq!(
            lb.client_address(ip("203.0.113.5"), &xff),
            ip("203.0.113.5")
        );
        // Through two trusted hops, the first untrusted one.
        assert_eq!(lb.client_address(ip("10.0.0.1"), &xff), ip("198.51.100.9"));
        // What a client put on the left of the chain is not believed past an untrusted hop.
        let forged = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.9")]);
        assert_eq!(
            lb.client_address(ip("192.0.2.7"), &forged),
            ip("198.51.100.9")
        );
        // Several header lines are one chain.
        let lines = headers(&[
            ("x-forwarded-for", "198.51.100.9"),
            ("x-forwarded-for", "10.9.9.9"),
        ]);
        assert_eq!(
            lb.client_address(ip("10.0.0.1"), &lines),
            ip("198.51.100.9")
        );
        // Garbage in the chain: the proxy is counted, not an address of the sender's choice.
        let junk = headers(&[("x-forwarded-for", "1.2.3.4, nonsense")]);
        assert_eq!(lb.client_address(ip("10.0.0.1"), &junk), ip("10.0.0.1"));
        // Nothing forwarded: the proxy itself.
        assert_eq!(
            lb.client_address(ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
        // IPv4-mapped peers are IPv4.
        assert_eq!(
            lb.client_address(ip("::ffff:10.0.0.1"), &xff),
            ip("198.51.100.9")
        );
    }

    #[test]
    fn forwarded_header_wins_over_x_forwarded_for() {
        let lb = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let h = headers(&[
            (
                "forwarded",
                "for=198.51.100.9;proto=https, for=\"[2001:db8::1]:4711\"",
            ),
            ("x-forwarded-for", "1.2.3.4"),
        ]);
        assert_eq!(lb.client_address(ip("10.0.0.1"), &h), ip("2001:db8::1"));
        let h = headers(&[("forwarded", "for=198.51.100.9:8080")]);
        assert_eq!(lb.client_address(ip("10.0.0.1"), &h), ip("198.51.100.9"));
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(lb.client_address(ip("10.0.0.1"), &h), ip("10.0.0.1"));
    }

    #[test]
    fn the_setting_is_read_strictly() {
        assert_eq!(
            TrustedProxies::parse("").unwrap(),
            TrustedProxies::default()
        );
        assert!(TrustedProxies::parse("10.0.0.0/8 2001:db8::/32 192.0.2.7").is_ok());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
    }
}
