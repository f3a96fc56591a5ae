//! Which addresses a client ID metadata document may be fetched from: the public ones. The
//! table is IANA's IPv4 and IPv6 Special-Purpose Address Space registries, as the `iprfc`
//! crate ships them (a dated, checksummed snapshot it regenerates from the registries); this
//! file adds only what those registries leave out and how an embedded IPv4 address is read.
//!
//! Every block of the registries is refused, even the few marked globally reachable (AS112,
//! AMT, PCP anycast): no client's document is served from them, and one rule is easier to
//! trust than a list of exceptions. So are:
//! - IPv4 multicast (224.0.0.0/4), which is in the address-space registry, not the special one;
//! - for IPv6, everything outside global unicast 2000::/3: that one rule covers multicast,
//!   site-local fec0::/10 and IPv4-compatible ::/96 (both deprecated, so no longer in the
//!   special registry), unique-local and link-local;
//! - 6to4 (2002::/16), Teredo (2001::/32, within 2001::/23) and NAT64's local-use prefix
//!   (64:ff9b:1::/48), whole: 6to4 and Teredo are deprecated, and a local-use prefix can embed
//!   the IPv4 address at lengths we cannot know.
//!
//! Two forms carry an IPv4 address that is then connected to, and are judged by it: an
//! IPv4-mapped address (::ffff:0:0/96), and NAT64's well-known prefix (64:ff9b::/96, RFC 6052
//! §2.1), which a DNS64 resolver on an IPv6-only network gives to every IPv4-only name.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use iprfc::RFC6890;

/// Whether a document may be fetched from `ip`.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    !(RFC6890.contains(&ip) || ip.is_multicast())
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped().or_else(|| nat64_well_known(ip)) {
        return is_public_v4(v4);
    }
    let [first, ..] = ip.segments();
    let global_unicast = first & 0xe000 == 0x2000;
    global_unicast && !RFC6890.contains(&ip)
}

/// The IPv4 address in 64:ff9b::/96 (its last 32 bits, RFC 6052 §2.2).
fn nat64_well_known(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let [a, b, c, d, e, f, ..] = ip.segments();
    let [.., w, x, y, z] = ip.octets();
    ([a, b, c, d, e, f] == [0x64, 0xff9b, 0, 0, 0, 0]).then(|| Ipv4Addr::new(w, x, y, z))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each special block, by an address inside it; why it is refused.
    const SPECIAL: &[(&str, &str)] = &[
        ("0.1.2.3", "this network 0.0.0.0/8"),
        ("10.1.2.3", "private 10.0.0.0/8"),
        ("100.64.0.1", "shared 100.64.0.0/10"),
        ("127.0.0.1", "loopback 127.0.0.0/8"),
        (
            "169.254.169.254",
            "link-local 169.254.0.0/16 (cloud metadata)",
        ),
        ("172.16.0.1", "private 172.16.0.0/12"),
        ("192.0.0.170", "IETF protocol assignments 192.0.0.0/24"),
        ("192.0.2.1", "documentation 192.0.2.0/24"),
        ("192.88.99.1", "6to4 relay anycast 192.88.99.0/24"),
        ("192.168.1.1", "private 192.168.0.0/16"),
        ("198.18.0.1", "benchmarking 198.18.0.0/15"),
        ("198.19.255.254", "benchmarking 198.18.0.0/15"),
        ("198.51.100.1", "documentation 198.51.100.0/24"),
        ("203.0.113.1", "documentation 203.0.113.0/24"),
        ("224.0.0.1", "multicast 224.0.0.0/4"),
        ("240.0.0.1", "reserved 240.0.0.0/4"),
        ("255.255.255.255", "broadcast"),
        ("::", "unspecified ::/128"),
        ("::1", "loopback ::1/128"),
        ("::a00:1", "IPv4-compatible ::/96 (10.0.0.1)"),
        (
            "::5db8:d822",
            "IPv4-compatible ::/96, even of a public address",
        ),
        ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
        ("::ffff:169.254.169.254", "IPv4-mapped link-local"),
        ("::ffff:0:a00:1", "IPv4-translated ::ffff:0:0:0/96"),
        ("64:ff9b::7f00:1", "NAT64 64:ff9b::/96 of 127.0.0.1"),
        (
            "64:ff9b::a9fe:a9fe",
            "NAT64 64:ff9b::/96 of 169.254.169.254",
        ),
        ("64:ff9b:1::5db8:d822", "NAT64 local-use 64:ff9b:1::/48"),
        ("100::1", "discard-only 100::/64"),
        ("2001::a00:1", "Teredo 2001::/32"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo 2001::/32"),
        ("2001:2::1", "benchmarking 2001:2::/48"),
        ("2001:db8::1", "documentation 2001:db8::/32"),
        ("2002:a00:1::1", "6to4 2002::/16 of 10.0.0.1"),
        (
            "2002:5db8:d822::1",
            "6to4 2002::/16, even of a public address",
        ),
        ("3fff::1", "documentation 3fff::/20"),
        ("5f00::1", "SRv6 SIDs 5f00::/16"),
        ("fc00::1", "unique-local fc00::/7"),
        ("fd12:3456::1", "unique-local fc00::/7"),
        ("fe80::1", "link-local fe80::/10"),
        ("fec0::1", "site-local fec0::/10"),
        ("ff02::1", "multicast ff00::/8"),
    ];

    #[test]
    fn every_special_block_is_refused() {
        for (address, why) in SPECIAL {
            let ip: IpAddr = address.parse().unwrap();
            assert!(!is_public(ip), "{address} ({why}) was taken as public");
        }
    }

    #[test]
    fn public_addresses_are_accepted() {
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700::1111",
            "2a00:1450:4001:82b::200e",
            "::ffff:93.184.216.34",
            "64:ff9b::5db8:d822",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
