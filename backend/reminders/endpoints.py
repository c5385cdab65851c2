"""Which push endpoints the server POSTs to: an https URL on a public host, or plain http to this
machine's loopback outside production (a local push service in development and tests).

The server makes requests to whatever URL a member's device registered, so anything that could
reach an internal service is refused: other schemes, credentials in the URL, private, loopback,
link-local and other non-public addresses, and names that resolve to any of them. The rule is
applied when a subscription is stored (422) and again when a push is sent, on the addresses the
connection actually uses (a name may resolve differently by then)."""

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from backend.config import settings

MAX_ENDPOINT_LENGTH = 1024
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class EndpointRefused(OSError):
    """The endpoint is not one the server sends to; the message says why. An OSError, so the
    HTTP client treats it like any other failure to connect (nothing was sent)."""


def _ip(host: str) -> IpAddress | None:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    return address


def is_public(address: IpAddress) -> bool:
    """Globally reachable unicast: not private, loopback, link-local, shared (CGNAT), reserved,
    documentation or multicast."""
    return address.is_global and not address.is_multicast


def loopback_allowed() -> bool:
    return settings.env != "production"


def _is_loopback_host(host: str) -> bool:
    address = _ip(host)
    return address.is_loopback if address is not None else host == "localhost"


def check_url(url: str) -> SplitResult:
    """The endpoint's parts if its scheme, host and port are acceptable (before any lookup)."""
    if len(url) > MAX_ENDPOINT_LENGTH:
        raise EndpointRefused(f"the endpoint is longer than {MAX_ENDPOINT_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise EndpointRefused(f"the endpoint is not a valid URL ({exc})") from None
    if parts.scheme not in ("https", "http"):
        raise EndpointRefused("the endpoint must be an https URL")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise EndpointRefused("the endpoint has no host")
    if parts.username is not None or parts.password is not None:
        raise EndpointRefused("the endpoint may not carry a user name or password")
    if port == 0:
        raise EndpointRefused("the endpoint's port is not valid")
    if parts.scheme == "http":
        if not (_is_loopback_host(host) and loopback_allowed()):
            raise EndpointRefused(
                "the endpoint must be an https URL (plain http only to this machine, "
                "and not in production)"
            )
        return parts
    address = _ip(host)
    if address is not None and not is_public(address):
        raise EndpointRefused(f"the endpoint's address {address} is not a public one")
    if address is None and "." not in host:
        raise EndpointRefused(f"the endpoint's host {host!r} is not a public name")
    return parts


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses a name resolves to (the system resolver); replaced in tests, which have no
    DNS for public names."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def check_addresses(host: str, addresses: list[str]) -> None:
    """Refuses a name if any of its addresses is not public (a loopback name may stay loopback
    where loopback is allowed)."""
    if not addresses:
        raise EndpointRefused(f"the endpoint's host {host!r} has no address")
    loopback_ok = host == "localhost" and loopback_allowed()
    for text in addresses:
        address = _ip(text)
        if address is None:
            raise EndpointRefused(f"the endpoint's host {host!r} resolved to {text!r}")
        if not is_public(address) and not (loopback_ok and address.is_loopback):
            raise EndpointRefused(
                f"the endpoint's host {host!r} resolves to {address}, which is not public"
            )


def check_endpoint(url: str) -> None:
    """The whole rule, with a lookup now: for storing a subscription."""
    parts = check_url(url)
    host = (parts.hostname or "").rstrip(".")
    if _ip(host) is not None:
        return
    try:
        addresses = resolve_host(host, parts.port or 443)
    except OSError:
        raise EndpointRefused(f"the endpoint's host {host!r} could not be found") from None
    check_addresses(host, addresses)
