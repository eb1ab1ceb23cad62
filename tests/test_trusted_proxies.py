"""Behind proxies (TRUSTED_PROXIES): X-Forwarded-For and X-Forwarded-Proto are believed only from a trusted
peer, the client is the right-most address that is not a proxy of ours, and everything that keys on the
client's address (stored commenter IPs, rate limits, flag reporters, the admin lockout) gets the reader's.

Addresses: 10.0.0.0/24 and 2001:db8:a::/48 are our proxies; 203.0.113.x and 198.51.100.x are readers.
"""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from comments.models import ArticleComment, Report
from comments.views.flagging import reporter_for
from newsroom import proxies
from tests.makers import comment_form_data, make_comment

pytestmark = pytest.mark.django_db

PROXIES = ["10.0.0.0/24", "2001:db8:a::/48"]
EDGE, INNER = "10.0.0.7", "10.0.0.8"  # a load balancer, and a Varnish behind it


@pytest.fixture(autouse=True)
def _trusted(settings):
    settings.TRUSTED_PROXIES = PROXIES
    settings.COMMENTS_XTD_CONFIRM_EMAIL = False  # comments are stored at once, with their address


def resolved(peer, forwarded_for=None, proto=None):
    meta = {"REMOTE_ADDR": peer, "wsgi.url_scheme": "http"}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    if proto is not None:
        meta["HTTP_X_FORWARDED_PROTO"] = proto
    proxies.resolve(meta)
    return meta


class TestWhoTheClientIs:
    @pytest.mark.parametrize(
        "peer, forwarded_for, client",
        [
            # from a reader's own machine: its headers are its own word, not believed
            ("203.0.113.5", "198.51.100.1", "203.0.113.5"),
            ("203.0.113.5", "10.0.0.9", "203.0.113.5"),  # even when it names one of our proxies
            ("192.0.2.1", "198.51.100.1, 10.0.0.1", "192.0.2.1"),
            # from a proxy of ours: the address it connected from
            (EDGE, "203.0.113.5", "203.0.113.5"),
            (EDGE, None, EDGE),  # its own request (a health probe)
            (EDGE, "", EDGE),
            # a client's forged entries are on the left of the one the proxy appended
            (EDGE, "1.1.1.1, 198.51.100.1, 203.0.113.5", "203.0.113.5"),
            (EDGE, "10.0.0.99, 203.0.113.5", "203.0.113.5"),
            # several proxies of ours: walk from the right past each of them
            (INNER, "203.0.113.5, 10.0.0.7", "203.0.113.5"),
            (INNER, "6.6.6.6, 203.0.113.5,10.0.0.7 , 10.0.0.3", "203.0.113.5"),
            # a request from inside (every hop is ours): the farthest hop
            (INNER, "10.0.0.20, 10.0.0.7", "10.0.0.20"),
            # IPv6, ports, IPv4 written as IPv6
            ("2001:db8:a::1", "2001:db8:ffff::5", "2001:db8:ffff::5"),
            (EDGE, "[2001:db8:ffff::5]:4711", "2001:db8:ffff::5"),
            (EDGE, "203.0.113.5:4711", "203.0.113.5"),
            ("::ffff:10.0.0.7", "203.0.113.5", "203.0.113.5"),
            (EDGE, "::ffff:203.0.113.5", "203.0.113.5"),
        ],
    )
    def test_the_right_most_address_that_is_not_a_proxy_of_ours(self, peer, forwarded_for, client):
        assert resolved(peer, forwarded_for)["REMOTE_ADDR"] == client

    @pytest.mark.parametrize(
        "forwarded_for, client",
        [
            ("unknown", EDGE),
            ("not-an-address", EDGE),
            (",", EDGE),
            ("999.1.1.1", EDGE),
            ("203.0.113.5, garbage", EDGE),  # the proxy passed on what it was given: it is all we know
            ("garbage, 203.0.113.5", "203.0.113.5"),  # garbage left of the client is never read
            ("203.0.113.5, unknown, 10.0.0.3", "10.0.0.3"),  # the last hop we could read
            ("\x00\u2028<script>", EDGE),
            ("1.2.3.4, " * 2000 + "203.0.113.5", "203.0.113.5"),
        ],
    )
    def test_garbage_from_a_proxy_of_ours_leaves_the_last_hop_we_could_read(self, forwarded_for, client, caplog):
        assert resolved(EDGE, forwarded_for)["REMOTE_ADDR"] == client

    def test_garbage_is_logged_without_the_rest_of_the_header(self, caplog):
        resolved(EDGE, "203.0.113.5, " + "x" * 5000)
        assert "X-Forwarded-For from trusted proxy 10.0.0.7" in caplog.text
        assert "x" * 101 not in caplog.text

    def test_the_headers_of_an_untrusted_peer_are_dropped_unread(self):
        meta = resolved("203.0.113.5", "198.51.100.1", "https")
        assert "HTTP_X_FORWARDED_FOR" not in meta and "HTTP_X_FORWARDED_PROTO" not in meta
        assert meta["wsgi.url_scheme"] == "http"

    def test_without_trusted_proxies_nothing_is_believed(self, settings):
        settings.TRUSTED_PROXIES = []
        meta = resolved("10.0.0.7", "198.51.100.1", "https")
        assert (meta["REMOTE_ADDR"], meta["wsgi.url_scheme"]) == ("10.0.0.7", "http")

    @pytest.mark.parametrize("peer", ["", "unix:/run/gunicorn.sock", "garbage"])
    def test_a_peer_that_is_no_address_is_not_trusted(self, peer):
        assert resolved(peer, "198.51.100.1")["REMOTE_ADDR"] == peer

    @pytest.mark.parametrize(
        "proto, scheme",
        [
            ("https", "https"),
            ("HTTPS", "https"),
            ("http", "http"),
            ("http, https", "https"),  # the proxy nearest us appended the last one
            ("https, http", "http"),
            ("ftp", "http"),
            ("", "http"),
            ("https\x00", "http"),
        ],
    )
    def test_the_scheme_is_the_nearest_proxys_word(self, proto, scheme):
        assert resolved(EDGE, "203.0.113.5", proto)["wsgi.url_scheme"] == scheme


class TestThroughTheSite:
    """Whole requests through the middleware stack."""

    def post_comment(self, article, peer, forwarded_for=None, **fields):
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        return Client(REMOTE_ADDR=peer, headers=headers).post(
            reverse("comments:post"), comment_form_data(article, **fields)
        )

    def test_a_comment_stores_the_readers_address_not_the_proxys(self, article):
        assert self.post_comment(article, EDGE, "203.0.113.5").status_code == 200
        assert ArticleComment.objects.get().ip_address == "203.0.113.5"

    def test_a_spoofed_header_from_a_reader_is_not_stored(self, article):
        assert self.post_comment(article, "203.0.113.5", "198.51.100.66").status_code == 200
        assert ArticleComment.objects.get().ip_address == "203.0.113.5"

    def test_garbage_from_a_proxy_is_no_500(self, article):
        assert self.post_comment(article, EDGE, "unknown, <script>").status_code == 200
        assert ArticleComment.objects.get().ip_address == EDGE

    def test_readers_behind_one_proxy_have_rate_limits_of_their_own(self, article):
        for n in range(5):
            response = self.post_comment(article, EDGE, "203.0.113.5", email=f"a{n}@example.com", comment=f"A {n}")
            assert response.status_code == 200
        assert self.post_comment(article, EDGE, "203.0.113.5", email="a9@example.com").status_code == 429
        assert self.post_comment(article, EDGE, "198.51.100.1", email="b@example.com").status_code == 200

    def test_a_reader_cannot_escape_the_rate_limit_by_inventing_addresses(self, article):
        for n in range(5):
            self.post_comment(article, "203.0.113.5", f"198.51.100.{n}", email=f"a{n}@example.com", comment=f"{n}")
        assert self.post_comment(article, "203.0.113.5", "198.51.100.99", email="z@example.com").status_code == 429

    def test_flags_from_readers_behind_one_proxy_count_apart(self, article):
        comment = make_comment(article)
        for reader in ("203.0.113.5", "198.51.100.1"):
            client = Client(REMOTE_ADDR=EDGE, headers={"X-Forwarded-For": reader})
            assert client.post(reverse("comments:flag", args=[comment.pk]), {"reason": "abuse"}).status_code == 200
        assert Report.objects.count() == 2

    def test_the_flag_reporter_is_the_readers_address(self):
        behind_proxy = RequestFactory().get("/", REMOTE_ADDR=EDGE, HTTP_X_FORWARDED_FOR="203.0.113.5")
        direct = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5")
        for request in (behind_proxy, direct):
            proxies.resolve(request.META)
            request.user = type("Anonymous", (), {"is_authenticated": False})()
        assert reporter_for(behind_proxy) == reporter_for(direct)

    def test_https_at_the_proxy_is_https_here(self, client, settings):
        settings.SECURE_SSL_REDIRECT = True
        from_proxy = Client(REMOTE_ADDR=EDGE, headers={"X-Forwarded-Proto": "https"})
        assert from_proxy.get("/robots.txt").status_code == 200
        spoofed = Client(REMOTE_ADDR="203.0.113.5", headers={"X-Forwarded-Proto": "https"})
        response = spoofed.get("/robots.txt")
        assert response.status_code == 301 and response["Location"] == "https://testserver/robots.txt"

    def test_the_legacy_proxy_ssl_header_cannot_be_spoofed_once_proxies_are_named(self, settings):
        settings.SECURE_SSL_REDIRECT = True
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # BEHIND_PROXY=1, left set
        spoofed = Client(REMOTE_ADDR="203.0.113.5", headers={"X-Forwarded-Proto": "https"})
        assert spoofed.get("/robots.txt").status_code == 301


class TestAdminLockout:
    """django-axes keys its lockout on the address the middleware settled on (AXES_CLIENT_IP_CALLABLE)."""

    def sign_in(self, peer, forwarded_for, password="wrong"):
        client = Client(REMOTE_ADDR=peer, headers={"X-Forwarded-For": forwarded_for})
        return client.post("/admin/login/", {"username": "editor", "password": password, "next": "/admin/"})

    def test_the_lockout_is_for_the_reader_behind_the_proxy(self, editor):
        for _ in range(5):
            self.sign_in(EDGE, "203.0.113.5")
        assert self.sign_in(EDGE, "203.0.113.5", "pw").status_code == 429
        assert AccessAttempt.objects.get().ip_address == "203.0.113.5"
        # another reader through the same proxy is not locked out
        assert self.sign_in(EDGE, "198.51.100.1", "pw").status_code == 302

    def test_inventing_addresses_does_not_escape_the_lockout(self, editor):
        for n in range(5):
            self.sign_in("203.0.113.5", f"198.51.100.{n}")
        assert self.sign_in("203.0.113.5", "198.51.100.99", "pw").status_code == 429
        assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]

    def test_axes_asks_the_middleware_not_the_headers(self, settings):
        from axes.helpers import get_client_ip_address

        request = RequestFactory().post("/admin/login/", REMOTE_ADDR=EDGE, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
        proxies.resolve(request.META)
        assert settings.AXES_CLIENT_IP_CALLABLE == "newsroom.proxies.client_ip"
        assert get_client_ip_address(request) == "203.0.113.5"
