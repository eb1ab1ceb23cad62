"""The page cache's stores: Redis, or Django's file-based cache without its zlib step; and the one step that
must be atomic on either, ending keys (freshness.end).

Pages are read thousands of times for each time one is written; inflating tens of kilobytes on every
hit cost about a tenth of a cached page's time, for disk space that does not matter here. Everything
else (file names, expiry, culling, atomic writes) is Django's own, except that the keys of what must
outlive any page (KEPT: the state, the clock, when each key changed) live in a folder culling never reads.
"""

import fcntl
import os
import pickle
import threading

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.core.files import locks

KEPT = "kept:"

# Redis runs a script alone: the clock moves on and every key is marked at the new tick with nothing between.
_END_KEYS = """
local tick = math.max(tonumber(redis.call('GET', KEYS[1]) or '0') + 1, tonumber(ARGV[1]))
redis.call('SET', KEYS[1], tick)
for i = 2, #KEYS do redis.call('SET', KEYS[i], tick) end
return tick
"""
_thread_lock = threading.Lock()


def end_keys(cache, clock_key, changed_keys, now_ms):
    """Move the clock on (to now_ms at least, and past its last tick) and mark changed_keys at the new tick,
    atomically across every process sharing `cache`. Returns the tick."""
    if isinstance(cache, RedisCache):
        names = [cache.make_and_validate_key(key) for key in (clock_key, *changed_keys)]
        client = cache._cache.get_client(names[0], write=True)
        return int(client.eval(_END_KEYS, len(names), *names, now_ms))
    with _locked(cache):
        tick = max((cache.get(clock_key) or 0) + 1, now_ms)
        cache.set_many({clock_key: tick, **dict.fromkeys(changed_keys, tick)}, None)
        return tick


class _locked:
    """One process and thread at a time: a lock file beside the file cache's kept keys, else this process's lock."""

    def __init__(self, cache):
        self.path = os.path.join(cache._dir, "kept", ".lock") if isinstance(cache, FileBasedCache) else None

    def __enter__(self):
        _thread_lock.acquire()
        if self.path:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            self.file = open(self.path, "a")
            fcntl.flock(self.file, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        if self.path:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
        _thread_lock.release()


class UncompressedFileBasedCache(FileBasedCache):
    def _key_to_file(self, key, version=None):
        path = super()._key_to_file(key, version)
        if key.startswith(KEPT):  # culling lists only the top folder's files
            return os.path.join(self._dir, "kept", os.path.basename(path))
        return path

    def _kept_files(self):
        kept = os.path.join(self._dir, "kept")
        try:
            return [os.path.join(kept, name) for name in os.listdir(kept) if name.endswith(self.cache_suffix)]
        except FileNotFoundError:
            return []

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if key.startswith(KEPT):
            os.makedirs(os.path.join(self._dir, "kept"), exist_ok=True)
        super().set(key, value, timeout, version)

    def clear(self):
        super().clear()
        for path in self._kept_files():
            self._delete(path)

    def get(self, key, default=None, version=None):
        try:
            with open(self._key_to_file(key, version), "rb") as file:
                if not self._is_expired(file):
                    return pickle.loads(file.read())
        except FileNotFoundError:
            pass
        return default

    def _write_content(self, file, timeout, value):
        file.write(pickle.dumps(self.get_backend_timeout(timeout), self.pickle_protocol))
        file.write(pickle.dumps(value, self.pickle_protocol))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            with open(self._key_to_file(key, version), "r+b") as file:
                locks.lock(file, locks.LOCK_EX)
                try:
                    if self._is_expired(file):
                        return False
                    value = pickle.loads(file.read())
                    file.seek(0)
                    self._write_content(file, timeout, value)
                    file.truncate()
                    return True
                finally:
                    locks.unlock(file)
        except FileNotFoundError:
            return False
