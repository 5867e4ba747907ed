"""A fixed-window rate limit on the shared cache.

Name searches are rate-limited per user (threat-model.md): each search reveals whether someone
is on file, so a stolen session or token must not be able to enumerate names quickly.
"""

from __future__ import annotations

import time

from django.core.cache import cache


def allow(key: str, *, limit: int, window_seconds: int = 60) -> bool:
    """Count one hit for `key`; False once more than `limit` hits fall in the current window."""
    if limit <= 0:
        return True
    bucket = f"salama-rl:{key}:{int(time.time() // window_seconds)}"
    if cache.add(bucket, 1, timeout=window_seconds + 5):
        return True
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window_seconds + 5)
        return True
    return count <= limit


def seconds_left(window_seconds: int = 60) -> int:
    """Seconds until the current window ends (for a Retry-After header), at least 1."""
    return max(1, int(window_seconds - time.time() % window_seconds + 0.999))


def allow_search(user_id: int) -> bool:
    from django.conf import settings

    return allow(f"search:{user_id}", limit=settings.SALAMA_SEARCHES_PER_MINUTE)
