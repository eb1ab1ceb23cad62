"""Downloading feeds and images from other sites: http(s) only, public addresses only, bounded in time and size.

The standard library's urllib, with an opener that has no file:, ftp: or data: handlers (and no proxy), so
neither a URL nor a redirect can reach anything but a web server. Its http(s) connections resolve the host
once, refuse it when any of its addresses is not a public one (private, loopback, link-local, multicast,
reserved...: a feed is written by another outlet, and neither it nor its image links may make us call our
own network), and connect to an address that was checked: a name cannot answer a public address to the
check and a private one to the connection (DNS rebinding). Every redirect hop connects the same way; HTTPS
still verifies the certificate for the host's name. `allow_loopback` lets 127.0.0.0/8 and ::1 through
(tests, local development), nothing else. Every network wait is limited by `timeout`, the whole download by
`total_seconds` (a server that trickles one byte at a time is cut off too), and the body by `max_bytes`.
"""

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.template.defaultfilters import filesizeformat

WEB_SCHEMES = ("http", "https")
CHUNK_BYTES = 64 * 1024


class FetchError(Exception):
    """The download failed; the message is one line saying why, for people."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False  # 304: the copy we have is current


def check_web_url(url):
    """Refuse anything but an http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        raise FetchError(f"“{url}” is not a valid web address") from None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        raise FetchError(f"“{url}” is not a web address (http or https)")


def is_allowed_address(address, *, allow_loopback=False):
    """Whether we may connect to `address` (a string from getaddrinfo): a public one, or loopback if allowed."""
    ip = ipaddress.ip_address(address.split("%")[0])  # an IPv6 zone (fe80::1%eth0) says nothing about the address
    if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:127.0.0.1 is 127.0.0.1 to the kernel
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    if ip.version == 6 and ip.sixtofour and not is_allowed_address(str(ip.sixtofour)):  # 2002:0a00:0001:: is 10.0.0.1
        return False
    # is_global alone lets multicast and parts of ::/8 (NAT64 64:ff9b::/96) through on Python 3.11.
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_unspecified)


def _checked_addresses(host, port, allow_loopback):
    """`host`'s addresses, resolved once; FetchError when any of them is not one we may connect to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise FetchError(f"cannot resolve {host}: {error}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))  # getaddrinfo's order, each once
    if not addresses:
        raise FetchError(f"cannot resolve {host}: no address")
    for address in addresses:
        if not is_allowed_address(address, allow_loopback=allow_loopback):
            where = f"{host} is" if address == host else f"{host} resolves to {address},"
            raise FetchError(f"{where} an address on a private or local network; refused")
    return addresses


class _CheckedConnectionMixin:
    """An http.client connection that connects only to an address of its host that passed the check."""

    def __init__(self, *args, allow_loopback=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_loopback = allow_loopback
        self._create_connection = self._create_checked_connection  # what http.client's connect() calls

    def _create_checked_connection(self, address, timeout, source_address=None):
        host, port = address
        error = None
        for checked in _checked_addresses(host, port, self.allow_loopback):
            try:
                return socket.create_connection((checked, port), timeout, source_address)
            except OSError as refused:  # the next address, as socket.create_connection does
                error = refused
        raise error


class CheckedHTTPConnection(_CheckedConnectionMixin, http.client.HTTPConnection):
    pass


class CheckedHTTPSConnection(_CheckedConnectionMixin, http.client.HTTPSConnection):
    # HTTPSConnection.connect() wraps the socket with server_hostname=self.host: SNI and the certificate
    # check are on the name, whatever address it was connected to.
    pass


def _open(handler, connection_class, req, **kwargs):
    try:
        return handler.do_open(connection_class, req, allow_loopback=handler.allow_loopback, **kwargs)
    except FetchError as error:
        if getattr(req, "redirected", False):
            raise FetchError(f"redirected to {req.full_url}: {error}") from None
        raise


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, allow_loopback):
        super().__init__()
        self.allow_loopback = allow_loopback

    def http_open(self, req):
        return _open(self, CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, allow_loopback):
        super().__init__()
        self.allow_loopback = allow_loopback

    def https_open(self, req):
        return _open(self, CheckedHTTPSConnection, req, context=self._context, check_hostname=self._check_hostname)


class _WebOnlyRedirectHandler(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_web_url(newurl)  # the new host's addresses are checked when it is connected to
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.redirected = True
        return new


def _opener(allow_loopback):
    opener = urllib.request.OpenerDirector()
    for handler in (
        _CheckedHTTPHandler(allow_loopback),
        _CheckedHTTPSHandler(allow_loopback),
        _WebOnlyRedirectHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch(
    url,
    *,
    max_bytes,
    timeout,
    total_seconds,
    user_agent,
    accept="*/*",
    etag="",
    last_modified="",
    allow_loopback=False,
):
    """GET `url`; a conditional GET when `etag`/`last_modified` are given. Raises FetchError.

    Only public addresses are connected to, for `url` and every redirect; `allow_loopback` adds 127.0.0.0/8 and ::1.
    """
    check_web_url(url)
    headers = {"User-Agent": user_agent, "Accept": accept, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + total_seconds
    too_big = f"it is larger than {filesizeformat(max_bytes)}, the limit"
    try:
        with _opener(allow_loopback).open(urllib.request.Request(url, headers=headers), timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise FetchError(too_big)
            chunks, size = [], 0
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(f"the download took longer than {total_seconds} seconds")
                chunk = response.read1(CHUNK_BYTES)  # returns what has arrived: no waiting for a full chunk
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(too_big)
                chunks.append(chunk)
            return Fetched(
                url=response.url,
                body=b"".join(chunks),
                content_type=response.headers.get("Content-Type", ""),
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
            )
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return Fetched(url=url, etag=etag, last_modified=last_modified, not_modified=True)
        if 300 <= error.code < 400:  # urllib refuses a redirect to file:, ftp: and the like, or a loop
            raise FetchError(f"refused a redirect ({error.reason})") from None
        raise FetchError(f"the server answered {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise FetchError(f"no answer within {timeout} seconds") from None
        raise FetchError(f"could not connect: {reason}") from None
    except TimeoutError:
        raise FetchError(f"no answer within {timeout} seconds") from None
    except (http.client.HTTPException, OSError, ValueError) as error:
        raise FetchError(f"the download failed: {error or type(error).__name__}") from None
