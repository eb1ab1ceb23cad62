"""Who the client is, behind proxies we trust (TRUSTED_PROXIES).

`TrustedProxyMiddleware` runs first and settles it once for everything downstream: when the connecting
peer (REMOTE_ADDR) is one of TRUSTED_PROXIES, the client is the right-most address of X-Forwarded-For that
is not itself a trusted proxy (each proxy appends the address it was connected from, so everything to the
left of the first address we do not trust was written by the client and proves nothing), and
X-Forwarded-Proto says whether the client used https. REMOTE_ADDR is then set to the client's address, so
rate limits, django-axes (`client_ip`), duplicate checks, commenters' stored addresses and flag reporters'
hashes all see the reader, not the proxy. From any other peer both headers are removed unread.

A value a trusted proxy passes on that is not an address (`unknown`, a host name, nothing) ends the walk:
the client is then the last hop we could read, and the oddity is logged; it is never a 500.
"""

import functools
import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
FORWARDED_PROTO = "HTTP_X_FORWARDED_PROTO"


@functools.lru_cache(maxsize=8)
def _networks(trusted):
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def trusted_networks():
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def parse_address(value):
    """An IP address from a header entry or REMOTE_ADDR, or None: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
    `[2001:db8::1]:443`; an IPv4-mapped IPv6 address is its IPv4 address."""
    value = value.strip()
    if value.startswith("["):  # [v6] or [v6]:port
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])  # an IPv6 zone names an interface, not a host
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address, networks=None):
    networks = trusted_networks() if networks is None else networks
    return address is not None and any(address in network for network in networks)


def client_address(peer, forwarded_for, networks):
    """The client's address, given the connecting peer (trusted) and the X-Forwarded-For it sent."""
    client = peer
    if not forwarded_for.strip():  # the proxy's own request (a health probe), or one that adds no header
        return client
    for entry in reversed(forwarded_for.split(",")):
        hop = parse_address(entry)
        if hop is None:
            logger.warning(
                "X-Forwarded-For from trusted proxy %s holds %r: taking %s as the client",
                peer,
                entry.strip()[:100],
                client,
            )
            return client
        client = hop
        if not is_trusted(hop, networks):
            return client
    return client  # every hop is a proxy of ours: the farthest is the client


def forwarded_scheme(value):
    """http or https from X-Forwarded-Proto (its right-most entry, written by the proxy nearest us), or None."""
    scheme = value.rsplit(",", 1)[-1].strip().lower()
    return scheme if scheme in ("http", "https") else None


def resolve(meta):
    """Rewrite a request's META in place: REMOTE_ADDR becomes the client's address and wsgi.url_scheme
    what the client used, when the peer is a trusted proxy; the forwarding headers go otherwise."""
    networks = trusted_networks()
    peer = parse_address(meta.get("REMOTE_ADDR") or "")
    if not networks or not is_trusted(peer, networks):
        if networks:  # with no proxies configured, nothing is believed anyway (BEHIND_PROXY aside)
            meta.pop(FORWARDED_FOR, None)
            meta.pop(FORWARDED_PROTO, None)
        return
    meta["REMOTE_ADDR"] = str(client_address(peer, meta.get(FORWARDED_FOR, ""), networks))
    scheme = forwarded_scheme(meta.get(FORWARDED_PROTO, ""))
    if scheme:
        meta["wsgi.url_scheme"] = scheme


class TrustedProxyMiddleware:
    """First in MIDDLEWARE: everything after it reads the client's address from REMOTE_ADDR."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        resolve(request.META)
        return self.get_response(request)


def client_ip(request, credentials=None):
    """django-axes' AXES_CLIENT_IP_CALLABLE: the address the middleware settled on, whatever axes would
    guess from the headers itself (it would use django-ipware's own rules if that were installed)."""
    return request.META.get("REMOTE_ADDR") or None
