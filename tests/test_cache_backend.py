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


def test_writes_go_to_the_first_server_and_reads_to_another_each_with_its_own_client(cache):
    replicas = SharedClientRedisCache(f"{REDIS_URL};redis://127.0.0.1:6379/9", {})
    write = replicas._cache.get_client(write=True)
    read = replicas._cache.get_client()
    assert write is not read
    assert write.connection_pool is replicas._cache._pools[0]
    assert read.connection_pool is replicas._cache._pools[1]
    assert replicas._cache.get_client(write=True) is write and replicas._cache.get_client() is read


def test_a_forked_worker_uses_the_shared_client_on_its_own_connections(cache):
    """gunicorn forks its workers after the client may have been built: the child must not share the
    parent's socket (redis-py's pool notices the new process and opens its own)."""
    cache.set("before-fork", "parent")
    parent_client = cache._cache.get_client()
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the worker
        try:
            ok = cache._cache.get_client() is parent_client and cache.get("before-fork") == "parent"
            cache.set("from-child", "worker")
            os.write(writer, b"ok" if ok else b"no")
        finally:
            os._exit(0)
    os.close(writer)
    answer = os.read(reader, 2)
    os.waitpid(child, 0)
    assert answer == b"ok"
    assert cache.get("from-child") == "worker"
    assert cache.get("before-fork") == "parent", "the parent's connection still answers after the fork"
