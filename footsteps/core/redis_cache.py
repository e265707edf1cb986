"""The shared cache's backend (settings.CACHES when REDIS_URL is set)."""

from django.core.cache.backends import redis as django_redis


class RedisCache(django_redis.RedisCache):
    """Django's Redis cache, with one client object per connection pool: Django
    builds a new client on every call (a third of a millisecond, three times a
    request). The pools, and so the connections, are Django's own."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient


class _ReusingClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client
