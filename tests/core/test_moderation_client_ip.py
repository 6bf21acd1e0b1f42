"""The client address a rate limit believes: X-Forwarded-For only as far as our own proxies wrote it."""

from __future__ import annotations

import pytest

from minipack.client_ip import UNKNOWN, client_address, parse_networks, rate_key

PROXIES = parse_networks(["127.0.0.1", "10.0.0.0/8", "::1"])


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address("203.0.113.9", "198.51.100.1", ()) == "203.0.113.9"


def test_a_request_that_did_not_come_through_a_trusted_proxy_cannot_name_its_own_address() -> None:
    assert client_address("203.0.113.9", "198.51.100.1", PROXIES) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_hop_it_added_is_the_client() -> None:
    assert client_address("127.0.0.1", "198.51.100.1", PROXIES) == "198.51.100.1"


def test_a_forged_hop_to_the_left_of_the_real_one_is_not_believed() -> None:
    # The client sent "X-Forwarded-For: 1.2.3.4"; our proxy appended the address it saw.
    assert client_address("127.0.0.1", "1.2.3.4, 198.51.100.1", PROXIES) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_sender() -> None:
    assert client_address("127.0.0.1", "198.51.100.1, 10.1.2.3, 10.0.0.7", PROXIES) == "198.51.100.1"


def test_when_every_hop_is_trusted_or_unreadable_the_last_trusted_sender_stands_for_the_client() -> None:
    assert client_address("127.0.0.1", "10.0.0.7", PROXIES) == "10.0.0.7"
    assert client_address("127.0.0.1", "nonsense, 10.0.0.7", PROXIES) == "10.0.0.7"


def test_an_ipv4_client_seen_through_an_ipv6_socket_is_that_ipv4_client() -> None:
    assert client_address("::ffff:203.0.113.9", None, PROXIES) == "203.0.113.9"


def test_a_connection_without_an_address_counts_as_unknown() -> None:
    assert client_address("", "198.51.100.1", PROXIES) == UNKNOWN


def test_a_bad_trusted_proxy_entry_is_named() -> None:
    with pytest.raises(ValueError, match="'10.0.0.300'"):
        parse_networks(["10.0.0.1", "10.0.0.300"])


def test_an_ipv6_host_counts_as_its_whole_slash_64_and_ipv4_as_itself() -> None:
    assert rate_key("2001:db8:1:2::a") == rate_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert rate_key("2001:db8:1:3::a") != rate_key("2001:db8:1:2::a")
    assert rate_key("203.0.113.9") == "203.0.113.9"
    assert rate_key(UNKNOWN) == UNKNOWN
