"""Who sent a request, as far as a rate limit may believe it: the client address and the key it is counted under.

This module is responsible for two rules. ``client_address`` takes the
address the connection came from and believes ``X-Forwarded-For`` only as far
as the hops were added by proxies we run (the trusted list): walking the
header from the right, each hop written by a trusted proxy names the next
sender, and the first sender that is not a trusted proxy is the client. A
client cannot choose its own address by sending the header, because its
forged hops sit to the left of the first untrusted one. ``rate_key`` groups
the addresses one person can switch between freely: an IPv6 host usually
holds a whole /64, so all of it counts as one sender; an IPv4 address counts alone.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

__all__ = ["UNKNOWN", "Network", "client_address", "parse_networks", "rate_key"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# The key for a connection without a readable address (a Unix socket with no proxy configured): they share one.
UNKNOWN = "unknown"


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR networks ('10.0.0.1', '10.0.0.0/8', '::1'); ``ValueError`` naming the first that is neither."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network (e.g. 10.0.0.1 or 10.0.0.0/8)") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket ('::ffff:192.0.2.1') is that IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address.version == n.version and address in n for n in trusted)


def client_address(remote_addr: str, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The client's address: ``remote_addr``, or the nearest ``forwarded_for`` hop no trusted proxy stands behind.

    When every hop is a trusted proxy, or a hop is not an address (a proxy
    that writes nonsense), the last trusted sender stands for the client:
    never a value the client could have chosen. ``UNKNOWN`` when even the
    connection's address cannot be read.
    """
    peer = _address(remote_addr)
    if peer is None:
        return UNKNOWN
    hops = [h for h in (forwarded_for or "").split(",") if h.strip()]
    while _trusted(peer, trusted) and hops:
        sender = _address(hops.pop())
        if sender is None:
            break
        peer = sender
    return str(peer)


def rate_key(address: str) -> str:
    """What a rate limit counts ``address`` under: the address itself for IPv4, its /64 for IPv6."""
    parsed = _address(address)
    if parsed is None:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        # By value, so a zone ('fe80::1%eth0') does not split one host into several keys.
        return str(ipaddress.IPv6Network((int(parsed), 64), strict=False))
    return str(parsed)
