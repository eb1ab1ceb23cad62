"""Fixtures of the media tests: a real S3-compatible object store on loopback (SeaweedFS, started by scripts/s3),
the site's media pointed at it as MEDIA_STORAGE_URL would point it, and the bucket read back with boto3.

`object_store` is one server for the session; each test gets a prefix of its own in its bucket (`bucket`), so
tests never see each other's files. `store_to_stop` is a server of the test's own, for the tests that take it
down.
"""

import subprocess
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

import boto3
import pytest
from django.core.cache import cache

from newsroom.settings import media_storage
from tests.processes import BASE_DIR

SCRIPT = BASE_DIR / "scripts" / "s3"


def start_store():
    """(pid, MEDIA_STORAGE_URL) of a fresh store with an empty bucket."""
    started = subprocess.run([SCRIPT, "start"], capture_output=True, text=True, timeout=90)
    assert started.returncode == 0, started.stderr
    pid, url = started.stdout.split()
    return pid, url


def stop_store(pid):
    subprocess.run([SCRIPT, "stop", pid], capture_output=True, text=True, timeout=30, check=True)


@dataclass
class Bucket:
    """The test's part of the bucket, read as the store holds it (boto3, with the site's keys)."""

    client: object
    name: str
    prefix: str
    media_url: str  # where the site says its media are

    def objects(self):
        """Every object under the test's prefix, relative to it, sorted."""
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=f"{self.prefix}/"):
            found += [entry["Key"].removeprefix(f"{self.prefix}/") for entry in page.get("Contents", [])]
        return sorted(found)

    def read(self, key):
        return self.client.get_object(Bucket=self.name, Key=f"{self.prefix}/{key}")["Body"].read()


def public_get(url):
    """GET `url` as a reader's browser would (no keys): (status, Content-Type, body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def use_store(settings, url, **parameters):
    """Point the site's media at the store `url`, under a fresh prefix, as MEDIA_STORAGE_URL would (with
    `parameters` in its query string); the Bucket to read back."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    configured = f"{url}/{prefix}" + (f"?{urlencode(parameters)}" if parameters else "")
    storage, media_url = media_storage(configured)
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    settings.MEDIA_URL = media_url
    cache.clear()  # imagekit's notes of which renditions exist belong to the storage they were made in
    options = storage["OPTIONS"]
    client = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        region_name=options["region_name"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        config=options["client_config"],
    )
    return Bucket(client, options["bucket_name"], prefix, media_url)


@pytest.fixture(autouse=True)
def _forget_renditions_made_by_other_tests():
    # imagekit remembers in the cache which renditions exist; each test has its own MEDIA_ROOT or prefix.
    cache.clear()


@pytest.fixture(scope="session")
def object_store():
    """The session's SeaweedFS on 127.0.0.1: its MEDIA_STORAGE_URL (s3+http://newsroom:SECRET@127.0.0.1:PORT/media)."""
    pid, url = start_store()
    yield url
    stop_store(pid)


@pytest.fixture
def bucket(object_store, settings):
    """The site's media in the session's store, under a prefix of this test's own."""
    return use_store(settings, object_store)


class Store:
    """A store of the test's own, which it can take down."""

    def __init__(self):
        self.pid, self.url = start_store()

    def stop(self):
        if self.pid:
            stop_store(self.pid)
            self.pid = None


@pytest.fixture
def store_to_stop():
    store = Store()
    yield store
    store.stop()
