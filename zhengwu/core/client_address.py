"""The visitor's address, read in one place for audit rows, rate limits, search statistics and everything else.

Two layouts are supported, chosen by settings (environment variables of the same name):

- **direct** (the demo, ``zhengwu serve``): ``ZHENGWU_PROXY_HEADER`` is empty, and the address is the socket's
  ``REMOTE_ADDR``. Any ``X-Forwarded-For`` or ``X-Real-IP`` a client sends is ignored — it could be typed by anyone.
- **behind a reverse proxy** (the generated nginx configuration, gunicorn on a Unix socket or on loopback):
  ``ZHENGWU_PROXY_HEADER`` names the header the proxy sets (``X-Real-IP`` in our nginx configuration, or
  ``X-Forwarded-For``), and ``ZHENGWU_TRUSTED_PROXIES`` lists the proxy addresses (CIDR, default loopback). The
  header is read only when the request came from a trusted proxy, or over a Unix socket (no ``REMOTE_ADDR``:
  only local processes can connect). ``X-Forwarded-For`` is read from the right, skipping trusted proxies: the
  entries left of the first untrusted hop could have been typed by the client.

``ZHENGWU_TRUST_X_REAL_IP=1`` (older configuration files) means ``ZHENGWU_PROXY_HEADER=X-Real-IP``.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_ip(value: str | None) -> Address | None:
    """An address as typed in a header or socket field (zone ids dropped, IPv4-mapped IPv6 as IPv4), or None."""
    if not value:
        return None
    text = value.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443" as some proxies write it
        text = text[1 : text.index("]")]
    elif text.count(":") == 1 and "." in text:  # "203.0.113.9:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def proxy_header() -> str:
    """The header name the trusted proxy writes the client's address into, or "" when there is no proxy."""
    name = str(getattr(settings, "ZHENGWU_PROXY_HEADER", "") or "").strip()
    if not name and getattr(settings, "ZHENGWU_TRUST_X_REAL_IP", False):
        name = "X-Real-IP"
    return name


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in configured if item.strip())


def trusted_proxies() -> tuple[Network, ...]:
    configured = getattr(settings, "ZHENGWU_TRUSTED_PROXIES", None)
    if configured is None:
        configured = ("127.0.0.1/32", "::1/128")
    if isinstance(configured, str):
        configured = configured.split(",")
    return _networks(tuple(configured))


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(request: HttpRequest | None) -> Address | None:
    """The client's address as an ``ipaddress`` object (see the module docstring), or None when unknown."""
    if request is None:
        return None
    remote_text = request.META.get("REMOTE_ADDR", "") or ""
    remote = parse_ip(remote_text)
    header = proxy_header()
    if not header:
        return remote
    networks = trusted_proxies()
    # No socket address means a Unix socket: only processes on this machine (our nginx) can connect.
    from_proxy = (not remote_text.strip()) or (remote is not None and _is_trusted(remote, networks))
    if not from_proxy:
        return remote
    value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "") or ""
    if header.lower() == "x-forwarded-for":
        for item in reversed([part for part in value.split(",") if part.strip()]):
            address = parse_ip(item)
            if address is None:
                break
            if not _is_trusted(address, networks):
                return address
        return remote
    return parse_ip(value.split(",")[0]) or remote


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as text (``"203.0.113.9"``, ``"2001:db8::1"``), or None when unknown."""
    address = client_address(request)
    return str(address) if address is not None else None


def client_subject(request: HttpRequest | None) -> str:
    """What per-address limits count against: the IPv4 address, or the IPv6 /64 (one customer usually holds a
    whole /64 and could rotate through it freely); ``"unknown"`` when there is no address."""
    address = client_address(request)
    if address is None:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address) + "/64"
    return str(address)
