"""Downloading feeds and images from other sites: http(s) only, bounded in time and size.

The standard library's urllib, with an opener that has no file:, ftp: or data: handlers, so neither a
URL nor a redirect can reach anything but a web server. Every network wait is limited by `timeout`,
the whole download by `total_seconds` (a server that trickles one byte at a time is cut off too),
and the body by `max_bytes`.
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


def check_web_url(url, *, public_only=False):
    """Refuse anything but an http(s) URL; with `public_only`, also hosts on private or local networks."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError(f"“{url}” is not a valid web address") from None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        raise FetchError(f"“{url}” is not a web address (http or https)")
    if public_only:
        # A feed is written by another outlet: its image links must not make us call our own network.
        try:
            addresses = {
                info[4][0] for info in socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
            }
        except OSError as error:
            raise FetchError(f"cannot resolve {parts.hostname}: {error}") from None
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise FetchError(f"{parts.hostname} is on a private or local network ({address}); refused")


class _WebOnlyRedirectHandler(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def __init__(self, public_only):
        self.public_only = public_only

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_web_url(newurl, public_only=self.public_only)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(public_only):
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _WebOnlyRedirectHandler(public_only),
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
    public_only=False,
):
    """GET `url`; a conditional GET when `etag`/`last_modified` are given. Raises FetchError."""
    check_web_url(url, public_only=public_only)
    headers = {"User-Agent": user_agent, "Accept": accept, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + total_seconds
    too_big = f"it is larger than {filesizeformat(max_bytes)}, the limit"
    try:
        with _opener(public_only).open(urllib.request.Request(url, headers=headers), timeout=timeout) as response:
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
