"""Security headers and settings: a strict Content-Security-Policy on public pages (and one for the
admin that still lets its editor run), the other browser protections, CSRF on every form, and
Secure/HttpOnly/SameSite cookies and HSTS in production (checked in a production-configured process).
"""

import json
import re
import secrets
import textwrap

import pytest
from django.test import Client
from django.urls import reverse

from tests.makers import comment_form_data, make_comment
from tests.pages import parse
from tests.processes import run_django

pytestmark = pytest.mark.django_db


def policy(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in header.split(";") if part.strip())}


@pytest.fixture
def public_pages(client, article):
    comment = make_comment(article)
    return {
        "home": client.get("/"),
        "story": client.get(article.get_absolute_url()),
        "section": client.get(article.section.get_absolute_url()),
        "privacy": client.get(reverse("privacy:page")),
        "reply": client.get(reverse("comments:reply", args=[comment.pk])),
        "not found": client.get("/no/such/page/"),
        "refused comment": client.post(reverse("comments:post"), comment_form_data(article, email="broken")),
    }


def test_public_pages_have_a_strict_content_security_policy(public_pages):
    for name, response in public_pages.items():
        csp = policy(response)
        assert csp["default-src"] == ["'self'"], name
        for directive in ("script-src", "style-src", "img-src", "font-src", "connect-src", "form-action"):
            assert csp[directive] == ["'self'"], (name, directive)
        assert csp["object-src"] == csp["base-uri"] == csp["frame-ancestors"] == ["'none'"], name


def test_public_pages_need_nothing_the_policy_forbids(public_pages):
    """No inline script or style, no style attribute: the strict policy breaks nothing."""
    for name, response in public_pages.items():
        page = parse(response)
        inline = [script for script in page.find_all("script") if not script.attrs.get("src")]
        assert all(script.attrs.get("type") == "application/ld+json" for script in inline), name  # data, not code
        assert page.find_all("style") == [], name
        assert [e for e in page.iter() if "style" in e.attrs] == [], name


def test_public_pages_have_the_other_browser_protections(public_pages):
    for name, response in public_pages.items():
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", name
        assert response.headers["X-Frame-Options"] == "DENY", name
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", name


def test_the_admin_story_editor_runs_under_its_own_policy(admin_client, article):
    """django-prose-editor needs an inline import map: allowed by this response's nonce and nothing else."""
    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    csp = policy(response)
    nonces = [source for source in csp["script-src"] if source.startswith("'nonce-")]
    assert csp["script-src"][0] == "'self'" and len(nonces) == 1
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    nonce = nonces[0][len("'nonce-") : -1]

    scripts = parse(response).find_all("script")
    inline = [script for script in scripts if not script.attrs.get("src")]
    assert [script.attrs.get("type") for script in inline] == ["importmap"], "the editor's import map is on the page"
    assert all(script.attrs.get("nonce") == nonce for script in inline)
    for script in scripts:
        src = script.attrs.get("src")
        assert src is None or (src.startswith("/") and not src.startswith("//")), src
    assert 'name="body"' in response.content.decode()


def test_each_admin_response_gets_a_fresh_nonce(admin_client, article):
    url = reverse("admin:articles_article_change", args=[article.pk])
    first, second = (policy(admin_client.get(url))["script-src"] for _ in range(2))
    assert first != second


def test_every_form_on_public_pages_carries_a_csrf_token_but_the_shared_comment_form(public_pages):
    # The "Leave a Reply" form is in pages every reader (and every proxy) shares: no per-visitor token in it;
    # comments/same_origin.py refuses a post another site made (tests/comments/test_cross_site_posts.py).
    forms = 0
    for name, response in public_pages.items():
        for form in parse(response).find_all("form"):
            if (form.attrs.get("method") or "get").lower() == "post":
                forms += 1
                has_token = form.find("input", name="csrfmiddlewaretoken") is not None
                assert has_token == (form.attrs["action"] != reverse("comments:post")), name
    assert forms >= 4


def test_posts_without_a_csrf_token_are_refused(article):
    client = Client(enforce_csrf_checks=True)
    comment = make_comment(article)
    for url, data in [
        (reverse("comments:flag", args=[comment.pk]), {"reason": "spam"}),
        (reverse("comments:edit", args=[comment.pk]), {"comment": "changed"}),
        (reverse("comments:delete", args=[comment.pk]), {}),
        (reverse("privacy:page"), {"email": "pat@example.com", "action": "erase"}),
        (reverse("privacy:confirm", args=["token"]), {}),
        (reverse("admin:login"), {"username": "x", "password": "y"}),
    ]:
        assert client.post(url, data).status_code == 403, url
    posted = client.post(reverse("comments:post"), comment_form_data(article), headers={"Sec-Fetch-Site": "cross-site"})
    assert posted.status_code == 403


PRODUCTION_REQUESTS = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    # Everything as in production except static files, which would need collectstatic first.
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}).enable()
    call_command("migrate", verbosity=0)
    User.objects.create_superuser("desk", "desk@example.com", "a long desk password")
    client = Client(HTTP_HOST="news.example")
    plain = client.get("/privacy/")
    page = client.get("/privacy/", secure=True)
    login = client.post(
        "/admin/login/",
        {
            "username": "desk",
            "password": "a long desk password",
            "csrfmiddlewaretoken": page.cookies["csrftoken"].value,
        },
        secure=True,
        HTTP_REFERER="https://news.example/admin/login/",
    )
    def cookie(morsel):
        return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]), "samesite": morsel["samesite"]}
    print(json.dumps({
        "plain_status": plain.status_code,
        "plain_location": plain.headers.get("Location"),
        "status": page.status_code,
        "headers": dict(page.headers),
        "csrf_cookie": cookie(page.cookies["csrftoken"]),
        "login_status": login.status_code,
        "session_cookie": cookie(login.cookies["sessionid"]),
    }))
    """
)


def test_production_sends_hsts_and_secure_cookies(tmp_path):
    result = run_django(
        tmp_path,
        "-c",
        PRODUCTION_REQUESTS,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="news.example",
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain_status"] == 301 and seen["plain_location"] == "https://news.example/privacy/"
    assert seen["status"] == 200
    assert seen["headers"]["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert re.search(r"script-src 'self'(;|$)", seen["headers"]["Content-Security-Policy"])
    assert seen["csrf_cookie"] == {"secure": True, "httponly": False, "samesite": "Lax"}
    assert seen["login_status"] == 302
    assert seen["session_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
