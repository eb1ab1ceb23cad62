"""Settings come from the environment; in production a missing or malformed value stops the start."""

import secrets

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom.settings import email_settings, env_bool, env_int, env_list
from tests.processes import run_django


def django_setup(tmp_path, **env):
    return run_django(tmp_path, "-c", "import django; django.setup()", **env)


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)[:50], "ALLOWED_HOSTS": "news.example"}


def test_production_settings_start(tmp_path):
    result = django_setup(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = django_setup(tmp_path, **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "ImproperlyConfigured: With DEBUG=0, set SECRET_KEY to a random string of 32+ characters." in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path):
    result = django_setup(tmp_path, **{**PRODUCTION, "SECRET_KEY": "too-short"})
    assert result.returncode != 0
    assert "set SECRET_KEY to a random string of 32+ characters" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = django_setup(tmp_path, **{**PRODUCTION, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "ImproperlyConfigured: With DEBUG=0, set ALLOWED_HOSTS (comma-separated host names)." in result.stderr


def test_a_malformed_debug_value_is_a_clear_error(tmp_path):
    result = django_setup(tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG must be 1/0 or true/false, not 'maybe'" in result.stderr


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = run_django(tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("value", ["10.0.0.1,proxy.internal", "10.0.0.1/8", "10.0.0.0/33"])
def test_a_malformed_trusted_proxy_is_a_clear_error(tmp_path, value):
    result = django_setup(tmp_path, TRUSTED_PROXIES=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured: TRUSTED_PROXIES: " in result.stderr
    assert "is not an IP address or network (a network's host bits must be zero)" in result.stderr


def test_trusted_proxies_replace_the_proxy_ssl_header(tmp_path):
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.TRUSTED_PROXIES, s.SECURE_PROXY_SSL_HEADER)"
    env = {**PRODUCTION, "BEHIND_PROXY": "1"}
    legacy = run_django(tmp_path, "-c", code, **env)
    assert legacy.stdout.strip() == "[] ('HTTP_X_FORWARDED_PROTO', 'https')", legacy.stderr
    named = run_django(tmp_path, "-c", code, **env, TRUSTED_PROXIES=" 10.0.0.0/24, 192.0.2.7 ,2001:db8::/32")
    assert named.stdout.strip() == "['10.0.0.0/24', '192.0.2.7/32', '2001:db8::/32'] None", named.stderr


def test_local_development_needs_no_secret_or_hosts(tmp_path):
    result = run_django(tmp_path, "manage.py", "check")
    assert result.returncode == 0, result.stdout + result.stderr


# --- the parsing helpers, directly --------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [("", True), ("1", True), ("true", True), ("On", True), ("0", False), ("False", False), (" no ", False)],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("FLAG", value)
    assert env_bool("FLAG", default=True) is expected


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("FLAG", "yes please")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be 1/0 or true/false, not 'yes please'"):
        env_bool("FLAG", default=False)


def test_env_int_refuses_a_non_number(monkeypatch):
    monkeypatch.setenv("COUNT", "ten")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be a whole number, not 'ten'"):
        env_int("COUNT", 1)
    monkeypatch.setenv("COUNT", "")
    assert env_int("COUNT", 7) == 7


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", " news.example, ,www.news.example ")
    assert env_list("HOSTS", []) == ["news.example", "www.news.example"]


def test_email_url_with_starttls():
    assert email_settings("smtp+tls://mailer:s%40cret@mail.example:2525") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "s@cret",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
        "EMAIL_TIMEOUT": 10,
    }


@pytest.mark.parametrize(
    "url, host, port, ssl, tls",
    [
        ("smtp://mail.example", "mail.example", 25, False, False),
        ("smtp://mail.example?tls=1", "mail.example", 587, False, True),
        ("submission://mail.example", "mail.example", 587, False, True),
        ("smtps://mail.example", "mail.example", 465, True, False),
        ("smtp://mail.example:1025?ssl=1", "mail.example", 1025, True, False),
    ],
)
def test_email_url_ports_and_encryption(url, host, port, ssl, tls):
    settings = email_settings(url)
    assert (settings["EMAIL_HOST"], settings["EMAIL_PORT"]) == (host, port)
    assert (settings["EMAIL_USE_SSL"], settings["EMAIL_USE_TLS"]) == (ssl, tls)


def test_email_url_for_local_backends():
    assert email_settings("console:") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    assert email_settings("file:/tmp/mail") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/tmp/mail",
    }


@pytest.mark.parametrize(
    "url, message",
    [("pop3://mail.example", "unknown scheme 'pop3'"), ("smtp://mail.example:port", "invalid port")],
)
def test_email_url_mistakes_are_clear_errors(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        email_settings(url)
