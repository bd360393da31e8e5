"""The Redis cache backend of CACHES when REDIS_URL is set (config/settings/base.py): Django's own, with one Redis
client per connection pool instead of one per operation.

Why: Django's RedisCacheClient.get_client (django/core/cache/backends/redis.py) builds a new redis.Redis for every
cache call, and each build copies redis-py's table of about 160 response callbacks; a page makes several cache
calls (site root paths, page-cache generation, fragments), so this was a measurable part of rendering one. A
redis.Redis over a connection pool is safe to share between threads (each command borrows a connection from the
pool), and the pool itself reconnects after gunicorn forks its workers."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    """RedisCacheClient keeping the client it builds for each connection pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # Pools live as long as this object (RedisCacheClient._pools), so their ids stay theirs.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache using SharedClientRedisCacheClient."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
