"""Per-key rate limits: a token bucket per API key, in this process.

Each key may make `per_minute` requests a minute on average, in bursts of up to that
many; a refused request learns how many seconds to wait. With several workers each
worker keeps its own buckets (so the effective limit is per worker).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Bucket:
    """Tokens left and when they were last counted."""

    tokens: float
    stamp: float


class RateLimiter:
    """Token buckets keyed by API key id; `per_minute <= 0` turns limiting off."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.capacity = float(max(per_minute, 0))
        self.rate = self.capacity / 60.0  # tokens per second
        self.clock = clock
        self._buckets: dict[int, Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """False when limiting is off."""
        return self.per_minute > 0

    def take(self, key_id: int) -> float:
        """Spend one token of this key's bucket: 0.0 if the request may go ahead, else
        the seconds until a token is back."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key_id)
            if bucket is None:
                bucket = self._buckets[key_id] = Bucket(self.capacity, now)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate


def retry_after(wait: float) -> str:
    """The Retry-After header value (whole seconds, at least 1) for a wait."""
    return str(max(1, math.ceil(wait)))
