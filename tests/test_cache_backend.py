"""The Redis cache backend (config/cache.py): Django's own, with one Redis client per connection pool. It must
behave as Django's backend does, share its client, and stay correct when threads use it at once. Needs Redis
at 127.0.0.1:6379 (database 8): skipped on a developer's machine without it, a failure in CI."""

import os
import threading

import pytest

from config.cache import SharedClientRedisCache

REDIS_URL = "redis://127.0.0.1:6379/8"


@pytest.fixture
def cache():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        reason = f"Redis is not answering at {REDIS_URL}: {error}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    backend = SharedClientRedisCache(REDIS_URL, {"KEY_PREFIX": f"kopa-test-{os.getpid()}"})
    backend.clear()
    yield backend
    backend.clear()


def test_it_stores_and_answers_as_djangos_backend_does(cache):
    assert cache.get("missing") is None
    assert cache.add("word", "zaļš") is True
    assert cache.add("word", "other") is False
    cache.set("numbers", {"ballots": [1, 2, 3]})
    assert cache.get_many(["word", "numbers", "missing"]) == {
        "word": "zaļš",
        "numbers": {"ballots": [1, 2, 3]},
    }
    cache.set("count", 1)
    assert cache.incr("count") == 2
    cache.delete_many(["word", "count"])
    assert cache.get_many(["word", "count"]) == {}


def test_one_client_serves_every_call(cache):
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set("k", "v")
    assert cache.get("k") == "v"
    assert cache._cache.get_client() is client


def test_threads_sharing_the_client_lose_no_update(cache):
    cache.set("shared", 0)
    errors = []

    def add_many():
        try:
            for _ in range(200):
                cache.incr("shared")
        except Exception as error:  # any failure in a thread must reach the assertion
            errors.append(error)

    threads = [threading.Thread(target=add_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.get("shared") == 1600
