"""articles/fetching.py's address policy: the address that was checked is the one connected to (a name that
answers differently the second time gains nothing: DNS rebinding), feeds and images come only from public
addresses, and every redirect hop is checked the same way.

Nothing here connects anywhere but 127.0.0.1: names are answered by a patched `socket.getaddrinfo`, and
`socket.create_connection` is patched to record where it was asked to go and refuse anything else.
"""

import io
import socket
import ssl

import pytest
from django.core.management import CommandError, call_command

from articles.syndication.fetching import CheckedHTTPSConnection, FetchError, fetch

REAL_GETADDRINFO = socket.getaddrinfo
REAL_CREATE_CONNECTION = socket.create_connection
PUBLIC = "93.184.216.34"
REFUSED = "an address on a private or local network; refused"


def get(url, **options):
    return fetch(url, max_bytes=10_000, timeout=2, total_seconds=5, user_agent="test", **options)


def answer(address, port):
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))


class Resolver:
    """socket.getaddrinfo with made-up names: {name: [answers of the 1st call], [of the 2nd], ...}; the last repeats."""

    def __init__(self, names):
        self.names = names
        self.asked = []

    def __call__(self, host, port, *args, **kwargs):
        if host not in self.names:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        self.asked.append(host)
        answers = self.names[host]
        return [answer(address, port) for address in answers[min(self.asked.count(host), len(answers)) - 1]]


class Connections:
    """socket.create_connection that records every address; `through` maps addresses to real loopback ones."""

    def __init__(self, through=None):
        self.through = through or {}
        self.attempts = []

    def __call__(self, address, *args, **kwargs):
        self.attempts.append(address)
        real = self.through.get(address, address)
        if real[0] != "127.0.0.1":
            raise ConnectionRefusedError(111, "Connection refused")
        return REAL_CREATE_CONNECTION(real, *args, **kwargs)


@pytest.fixture
def resolve(monkeypatch):
    def install(names):
        resolver = Resolver(names)
        monkeypatch.setattr(socket, "getaddrinfo", resolver)
        return resolver

    return install


@pytest.fixture
def connections(monkeypatch):
    def install(through=None):
        recorder = Connections(through)
        monkeypatch.setattr(socket, "create_connection", recorder)
        return recorder

    return install


# --- one resolution, and the connection goes to the address it gave -------------------------------------------------


@pytest.mark.parametrize(("scheme", "port"), [("http", 80), ("https", 443)])
def test_a_name_that_answers_a_private_address_the_second_time_is_connected_at_the_first(
    resolve, connections, scheme, port
):
    resolver = resolve({"rebind.example": [[PUBLIC], ["127.0.0.1"]]})
    connected = connections()

    with pytest.raises(FetchError, match="could not connect: .*Connection refused"):
        get(f"{scheme}://rebind.example/feed.xml")

    assert connected.attempts == [(PUBLIC, port)]
    assert resolver.asked == ["rebind.example"]


def test_https_checks_the_certificate_for_the_name_not_the_address(resolve, monkeypatch):
    resolve({"news.example": [[PUBLIC]]})
    attempts, handshakes = [], []

    def create_connection(address, *args, **kwargs):  # a socket that never connects: no traffic at all
        attempts.append(address)
        return socket.socket()

    class Recording(ssl.SSLContext):
        def wrap_socket(self, sock, server_hostname=None, **kwargs):
            handshakes.append(server_hostname)
            raise ssl.SSLError("stopped before the handshake")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    context = Recording(ssl.PROTOCOL_TLS_CLIENT)
    connection = CheckedHTTPSConnection("news.example", context=context)
    with pytest.raises(ssl.SSLError):
        connection.connect()
    connection.close()

    assert attempts == [(PUBLIC, 443)]
    assert handshakes == ["news.example"]
    assert context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED


# --- the policy: public addresses only, loopback when allowed ------------------------------------------------------


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "::ffff:127.0.0.1"])
def test_a_name_on_a_private_or_local_address_is_refused_without_connecting(resolve, connections, address):
    resolve({"inside.example": [[address]]})
    connected = connections()

    with pytest.raises(FetchError) as refused:
        get("http://inside.example/feed.xml")

    assert str(refused.value) == f"inside.example resolves to {address}, {REFUSED}"
    assert connected.attempts == []


@pytest.mark.parametrize(
    "address",
    # unspecified, shared (CGN), private, multicast, reserved; link-local, unique local, multicast, 6to4 of 10.0.0.1
    ["0.0.0.0", "100.64.0.1", "192.168.1.1", "224.0.0.1", "240.0.0.1", "fe80::1", "fc00::1", "ff0e::1", "2002:a00:1::"],
)
def test_other_addresses_that_are_not_public_are_refused(resolve, connections, address):
    resolve({"inside.example": [[address]]})
    connected = connections()
    with pytest.raises(FetchError, match=REFUSED):
        get("http://inside.example/", allow_loopback=True)
    assert connected.attempts == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(resolve, connections):
    resolve({"mixed.example": [[PUBLIC, "10.0.0.5"]]})
    connected = connections()
    with pytest.raises(FetchError, match=f"mixed.example resolves to 10.0.0.5, {REFUSED}"):
        get("https://mixed.example/")
    assert connected.attempts == []


def test_an_address_in_the_url_is_checked_too(connections):
    connected = connections()
    with pytest.raises(FetchError, match=f"^10.0.0.1 is {REFUSED}$"):
        get("http://10.0.0.1/feed.xml")
    with pytest.raises(FetchError, match=rf"^::1 is {REFUSED}$"):
        get("http://[::1]:8080/feed.xml")
    assert connected.attempts == []


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_allow_loopback_lets_loopback_through(resolve, connections, address):
    resolve({"local.example": [[address]]})
    connected = connections()
    with pytest.raises(FetchError, match="could not connect"):  # the patched connection refuses it
        get("http://local.example:8000/", allow_loopback=True)
    assert connected.attempts == [(address, 8000)]


@pytest.mark.parametrize("address", ["10.0.0.1", "169.254.169.254"])
def test_allow_loopback_allows_nothing_else_private(resolve, connections, address):
    resolve({"inside.example": [[address]]})
    connected = connections()
    with pytest.raises(FetchError, match=f"inside.example resolves to {address}, {REFUSED}"):
        get("http://inside.example/", allow_loopback=True)
    assert connected.attempts == []


# --- redirects ---------------------------------------------------------------------------------------------------


def test_a_redirect_to_a_name_on_a_private_address_is_refused(resolve, connections, feed_server):
    resolve({"internal.example": [["10.0.0.7"]]})
    connected = connections()
    url = feed_server.serve("/feed.xml", status=302, headers={"Location": "http://internal.example/"})

    with pytest.raises(FetchError) as refused:
        get(url, allow_loopback=True)

    assert (
        str(refused.value)
        == f"redirected to http://internal.example/: internal.example resolves to 10.0.0.7, {REFUSED}"
    )
    assert feed_server.hits("/feed.xml") == 1
    assert [host for host, _ in connected.attempts] == ["127.0.0.1"]


def test_a_public_site_redirecting_to_loopback_is_refused(resolve, connections, feed_server):
    """The classic SSRF: a public server (played by the loopback one) sends us to our own machine."""
    port = feed_server.httpd.server_address[1]
    resolve({"public.example": [[PUBLIC]], "localhost.example": [["127.0.0.1"]]})
    connected = connections(through={(PUBLIC, port): ("127.0.0.1", port)})
    feed_server.serve("/feed.xml", status=301, headers={"Location": f"http://localhost.example:{port}/admin/"})

    with pytest.raises(FetchError, match=f"redirected to .*localhost.example resolves to 127.0.0.1, {REFUSED}"):
        get(f"http://public.example:{port}/feed.xml")

    assert connected.attempts == [(PUBLIC, port)]
    assert feed_server.hits("/feed.xml") == 1 and feed_server.hits("/admin/") == 0


# --- through the import --------------------------------------------------------------------------------------------


def test_importing_a_feed_on_loopback_is_refused_by_default(courier, feed_server, settings):
    settings.FEED_IMPORT = {"TIMEOUT": 1, "DOWNLOAD_SECONDS": 3}

    with pytest.raises(CommandError) as refused:
        call_command("import_feed", "courier", stdout=io.StringIO(), stderr=io.StringIO())

    assert str(refused.value) == (
        f"Could not import the feed of Harbour City Courier: cannot read {courier.feed_url}: 127.0.0.1 is {REFUSED}"
    )
    assert feed_server.hits("/feed.xml") == 0
    courier.refresh_from_db()
    assert courier.last_fetch_result == f"error: cannot read {courier.feed_url}: 127.0.0.1 is {REFUSED}"


def test_allow_loopback_imports_it_but_still_refuses_a_feed_on_a_private_network(
    courier, feed_server, settings, resolve, connections
):
    settings.FEED_IMPORT = {"ALLOW_LOOPBACK": True, "TIMEOUT": 1, "DOWNLOAD_SECONDS": 3}
    output = io.StringIO()
    call_command("import_feed", "courier", stdout=output, stderr=io.StringIO())
    assert feed_server.hits("/feed.xml") == 1
    assert "0 failed" in output.getvalue()

    resolve({"intranet.example": [["10.1.2.3"]]})
    connected = connections()
    with pytest.raises(CommandError, match=f"intranet.example resolves to 10.1.2.3, {REFUSED}"):
        call_command("import_feed", "http://intranet.example/rss", "--source", "courier", stdout=io.StringIO())
    assert connected.attempts == []
