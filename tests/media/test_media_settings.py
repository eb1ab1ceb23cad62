"""MEDIA_STORAGE_URL: an S3-compatible bucket for media, parsed strictly (a mistake stops the start and says what,
never repeating the secret); without it, files under MEDIA_ROOT as before."""

import json
import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom.settings import media_storage
from tests.processes import run_django
from tests.test_settings import PRODUCTION

SECRET = "wJalr/XUtnFEMI+K7MDENG%bPxRfiCY"  # AWS secret keys hold / and +: percent-encoded in the URL
URL = "s3://AKIAEXAMPLE:wJalr%2FXUtnFEMI%2BK7MDENG%25bPxRfiCY@s3.eu-west-1.amazonaws.com/newsroom-media"


def test_a_bucket_on_an_s3_service():
    storage, media_url = media_storage(f"{URL}?region=eu-west-1")

    options = storage["OPTIONS"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["endpoint_url"] == "https://s3.eu-west-1.amazonaws.com"
    assert (options["bucket_name"], options["location"], options["region_name"]) == ("newsroom-media", "", "eu-west-1")
    assert (options["access_key"], options["secret_key"]) == ("AKIAEXAMPLE", SECRET)
    # Public, unsigned addresses computed from the name; uploads never overwrite one another.
    assert options["querystring_auth"] is False and options["file_overwrite"] is False
    assert options["default_acl"] is None
    assert media_url == "https://s3.eu-west-1.amazonaws.com/newsroom-media/"
    # An unreachable store is given up on in seconds.
    config = options["client_config"]
    assert (config.connect_timeout, config.retries["max_attempts"]) == (5, 3)


def test_a_cdn_host_and_a_prefix():
    storage, media_url = media_storage(f"{URL}/site-a?custom_domain=media.newsroom.example")

    assert storage["OPTIONS"]["location"] == "site-a"
    assert storage["OPTIONS"]["custom_domain"] == "media.newsroom.example"
    assert media_url == "https://media.newsroom.example/site-a/"


def test_a_store_on_loopback_over_plain_http_and_keys_from_the_environment():
    storage, media_url = media_storage("s3+http://127.0.0.1:8333/media")

    assert storage["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:8333"
    assert storage["OPTIONS"]["access_key"] is None  # boto3 looks for AWS_ACCESS_KEY_ID, an instance role...
    assert media_url == "http://127.0.0.1:8333/media/"


@pytest.mark.parametrize(
    "url, message",
    [
        ("https://key:secret@s3.example/media", "must start with s3:// (https) or s3+http://"),
        ("s3://key:secret@s3.example", "names no bucket"),
        ("s3://key:secret@/media", "names no host"),
        ("s3://key:secret@s3.example:port/media", "invalid port"),
        ("s3://key:secret@s3.example/media?regoin=eu-west-1", "unknown parameter regoin"),
        ("s3://key:secret@s3.example/media?region=", "give region once, with a value"),
        ("s3://key:secret@s3.example/media?addressing_style=dns", "addressing_style must be path or virtual"),
    ],
)
def test_mistakes_are_clear_errors_that_never_show_the_secret(url, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)) as error:
        media_storage(url)
    assert "secret" not in str(error.value)


SHOW = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps([settings.STORAGES['default']['BACKEND'], settings.MEDIA_URL, settings.SERVE_MEDIA, "
    "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))"
)


def test_without_it_media_are_files_under_media_root(tmp_path):
    result = run_django(tmp_path, "-c", SHOW)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["django.core.files.storage.FileSystemStorage", "/media/", True, ["'self'"]]


def test_with_it_the_site_uses_the_bucket_and_pages_may_show_its_images(tmp_path):
    result = run_django(tmp_path, "-c", SHOW, MEDIA_STORAGE_URL=f"{URL}?custom_domain=media.newsroom.example")
    assert result.returncode == 0, result.stderr
    backend, media_url, serve_media, img_src = json.loads(result.stdout)
    assert (backend, media_url) == ("storages.backends.s3.S3Storage", "https://media.newsroom.example/")
    assert serve_media is False  # the bucket (or the CDN) serves them, never Django
    assert img_src == ["'self'", "https://media.newsroom.example/"]


def test_production_settings_with_a_bucket_pass_the_deployment_checklist(tmp_path):
    result = run_django(
        tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING", MEDIA_STORAGE_URL=URL, **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_malformed_url_stops_the_start(tmp_path):
    result = run_django(tmp_path, "-c", "import django; django.setup()", MEDIA_STORAGE_URL="s3://k:hunter2@s3.example")
    assert result.returncode != 0
    assert "ImproperlyConfigured: MEDIA_STORAGE_URL names no bucket" in result.stderr
    assert "hunter2" not in result.stderr
