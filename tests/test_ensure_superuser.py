"""The ensure_superuser management command used by `make run`."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db

ENV_VARS = (
    "DJANGO_SUPERUSER_USERNAME",
    "DJANGO_SUPERUSER_PASSWORD",
    "DJANGO_SUPERUSER_EMAIL",
    "HOST",
    "PORT",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def ensure_superuser(**options):
    out = StringIO()
    call_command("ensure_superuser", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def superusers():
    return list(get_user_model().objects.filter(is_superuser=True))


def test_generates_admin_with_random_password_and_prints_it_once():
    output = ensure_superuser()

    [admin] = superusers()
    assert admin.username == "admin"
    assert admin.is_staff and admin.is_active
    assert "Username: admin" in output
    assert "http://127.0.0.1:8000/admin/" in output
    assert "will not be shown again" in output
    password = re.search(r"Password: (\S+)", output).group(1)
    assert len(password) >= 16
    assert admin.check_password(password)


def test_generated_password_differs_between_sites():
    first = ensure_superuser()
    get_user_model().objects.all().delete()
    second = ensure_superuser()

    pattern = r"Password: (\S+)"
    assert re.search(pattern, first).group(1) != re.search(pattern, second).group(1)


def test_admin_url_uses_host_and_port(monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "9123")

    assert "http://0.0.0.0:9123/admin/" in ensure_superuser()


def test_creates_superuser_from_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "chief")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "s3cret-Passw0rd")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "chief@example.com")

    output = ensure_superuser()

    assert output == "Created superuser chief.\n"
    [chief] = superusers()
    assert chief.username == "chief"
    assert chief.email == "chief@example.com"
    assert chief.is_staff
    assert chief.check_password("s3cret-Passw0rd")
    assert "s3cret-Passw0rd" not in output


def test_email_from_environment_may_be_blank(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "chief")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "s3cret-Passw0rd")

    ensure_superuser()

    [chief] = superusers()
    assert chief.email == ""


def test_does_nothing_when_a_superuser_exists():
    get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")

    assert ensure_superuser() == ""
    assert [user.username for user in superusers()] == ["boss"]
    assert get_user_model().objects.count() == 1


def test_says_so_at_higher_verbosity():
    get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")

    output = ensure_superuser(verbosity=2)

    assert output.count("\n") == 1
    assert "already exists" in output


def test_plain_users_do_not_count_as_superusers():
    get_user_model().objects.create_user("reader", "reader@example.com", "pw")

    ensure_superuser()

    assert [user.username for user in superusers()] == ["admin"]


def test_is_idempotent():
    first = ensure_superuser()
    [admin] = superusers()
    password_hash = admin.password

    second = ensure_superuser()

    assert "Password:" in first
    assert second == ""
    assert get_user_model().objects.count() == 1
    admin.refresh_from_db()
    assert admin.password == password_hash


def test_is_idempotent_with_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "chief")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "s3cret-Passw0rd")

    assert ensure_superuser() == "Created superuser chief.\n"
    assert ensure_superuser() == ""
    assert get_user_model().objects.count() == 1


def test_password_without_username_is_an_error(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "s3cret-Passw0rd")

    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_USERNAME"):
        ensure_superuser()
    assert get_user_model().objects.count() == 0


def test_username_without_password_is_an_error(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "chief")

    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD"):
        ensure_superuser()
    assert get_user_model().objects.count() == 0


def test_existing_plain_user_with_the_name_is_an_error():
    get_user_model().objects.create_user("admin", "admin@example.com", "pw")

    with pytest.raises(CommandError, match="already exists but is not a superuser"):
        ensure_superuser()
    assert superusers() == []
