"""The admin sign-in locks out after repeated failures (django-axes): 5 wrong passwords for one
username from one IP address pause that pair for 15 minutes. Other addresses, the test suite's
force_login and a correct password before the limit are unaffected."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "pw"  # the personas' password (tests/makers.py)


def sign_in(client, username, password, ip="198.51.100.7"):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip, follow=False
    )


def fail(client, username, times, ip="198.51.100.7"):
    """Sign in with a wrong password `times` times: the form again each time, the lockout page at the fifth."""
    for attempt in range(1, times + 1):
        response = sign_in(client, username, "wrong", ip)
        if attempt < 5:
            assert response.status_code == 200
            assert "Please enter the correct username and password" in response.content.decode()
        else:
            assert response.status_code == 429


def test_five_wrong_passwords_lock_the_account_out_from_that_address(client, editor):
    fail(client, "editor", 5)
    response = sign_in(client, "editor", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page and "15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_for_that_address_only(client, editor):
    fail(client, "editor", 5)
    response = sign_in(client, "editor", PASSWORD, ip="203.0.113.50")
    assert response.status_code == 302 and response.url == "/admin/"


def test_the_lockout_lasts_fifteen_minutes(client, editor):
    fail(client, "editor", 5)
    with time_machine.travel(datetime.timedelta(minutes=14), tick=False):
        assert sign_in(client, "editor", PASSWORD).status_code == 429


def test_the_lockout_ends_after_fifteen_minutes(client, editor):
    fail(client, "editor", 5)
    with time_machine.travel(datetime.timedelta(minutes=16), tick=False):
        assert sign_in(client, "editor", PASSWORD).status_code == 302


def test_a_correct_password_before_the_limit_clears_the_failures(client, editor):
    fail(client, "editor", 4)
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    client.logout()
    fail(client, "editor", 4)
    assert sign_in(client, "editor", PASSWORD).status_code == 302


def test_only_failures_are_recorded(client, editor):
    fail(client, "editor", 2)
    assert AccessAttempt.objects.get().failures_since_start == 2
    sign_in(client, "editor", PASSWORD)
    assert not AccessAttempt.objects.exists() and not AccessLog.objects.exists()


def test_force_login_is_unaffected(admin_client, client, editor):
    fail(client, "editor", 5)
    client.force_login(editor)
    assert client.get(reverse("admin:index")).status_code == 200
    assert admin_client.get(reverse("admin:index")).status_code == 200
