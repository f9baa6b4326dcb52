"""Django's Redis cache, made to degrade: the cache holds only what can be computed again (estimate
inputs, lookups), so when Redis cannot be reached a read is a miss and a write is dropped, logged once a
minute, instead of a 500 for the citizen taking a number."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
_LOG_EVERY_SECONDS = 60.0


class TolerantRedisCache(RedisCache):
    _last_logged = 0.0

    def _failed(self, error: Exception) -> None:
        now = time.monotonic()
        if now - TolerantRedisCache._last_logged > _LOG_EVERY_SECONDS:
            TolerantRedisCache._last_logged = now
            logger.warning("cache unavailable (%s): computing without it", error)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except Exception as error:  # redis.RedisError and socket errors alike
            self._failed(error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except Exception as error:
            self._failed(error)
            return {}

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except Exception as error:
            self._failed(error)

    def set_many(self, data: Any, timeout: Any = None, version: int | None = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except Exception as error:
            self._failed(error)
            return list(data)

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except Exception as error:
            self._failed(error)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except Exception as error:
            self._failed(error)
            return False
