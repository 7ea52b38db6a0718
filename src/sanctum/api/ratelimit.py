"""Rate limits: a token bucket per API key (requests), or per client address and per key
id (failed key checks), in this process.

Each key may make `per_minute` requests a minute on average, in bursts of up to that
many; a refused request learns how many seconds to wait. With several workers each
worker keeps its own buckets (so the effective limit is per worker).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass
class Bucket:
    """Tokens left and when they were last counted."""

    tokens: float
    stamp: float


MAX_BUCKETS = 100_000
"""Buckets kept before the full ones (clients quiet for a while) are dropped: a flood of
client addresses cannot grow a limiter's memory without bound."""


class RateLimiter:
    """Token buckets by key (an API key id, a client address); `per_minute <= 0` turns
    limiting off."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.capacity = float(max(per_minute, 0))
        self.rate = self.capacity / 60.0  # tokens per second
        self.clock = clock
        self._buckets: dict[Hashable, Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """False when limiting is off."""
        return self.per_minute > 0

    def take(self, key_id: Hashable) -> float:
        """Spend one token of this key's bucket: 0.0 if the request may go ahead, else
        the seconds until a token is back."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key_id)
            if bucket is None:
                if len(self._buckets) >= MAX_BUCKETS:
                    self._prune(now)
                bucket = self._buckets[key_id] = Bucket(self.capacity, now)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def give_back(self, key_id: Hashable) -> None:
        """Return a token taken for something that turned out not to count (a key check
        that succeeded)."""
        if not self.enabled:
            return
        with self._lock:
            bucket = self._buckets.get(key_id)
            if bucket is not None:
                bucket.tokens = min(self.capacity, bucket.tokens + 1.0)

    def _prune(self, now: float) -> None:
        """Drop buckets that have filled up again (their clients went quiet)."""
        full = [
            k
            for k, b in self._buckets.items()
            if b.tokens + (now - b.stamp) * self.rate >= self.capacity
        ]
        for k in full:
            del self._buckets[k]


def retry_after(wait: float) -> str:
    """The Retry-After header value (whole seconds, at least 1) for a wait."""
    return str(max(1, math.ceil(wait)))
