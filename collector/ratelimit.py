"""Per-client rate limits that never keep a client's address.

A client is known only by a keyed hash of its address (HMAC-SHA-256, truncated); the key is
random, lives in this process's memory only and is replaced every `rotate_seconds`, which also
forgets every bucket: after a rotation nobody, the operator included, can link the old hashes to
an address. Each client has a token bucket of `per_minute` requests, refilled continuously.
Limits are per process: with N processes a client gets at most N times the rate.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable

KEY_BYTES = 32
HASH_BYTES = 16
MAX_CLIENTS = 100_000  # beyond this, buckets that have refilled are dropped


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        *,
        rotate_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self.rotate_seconds = rotate_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._rotate(clock())

    def _rotate(self, now: float) -> None:
        self._key = secrets.token_bytes(KEY_BYTES)
        self._rotated_at = now
        self._buckets: dict[bytes, tuple[float, float]] = {}  # hash -> (tokens, last refill)

    def client_key(self, address: str) -> bytes:
        return hmac.new(self._key, address.encode("utf-8"), hashlib.sha256).digest()[:HASH_BYTES]

    def retry_after(self, address: str) -> float:
        """0 when the request may go ahead (and is counted), else seconds until it may."""
        if self.per_minute <= 0:
            return 0.0
        rate = self.per_minute / 60.0
        with self._lock:
            now = self.clock()
            if now - self._rotated_at >= self.rotate_seconds:
                self._rotate(now)
            key = self.client_key(address)
            tokens, last = self._buckets.get(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_CLIENTS:
                self._drop_refilled(now, rate)
            return 0.0

    def _drop_refilled(self, now: float, rate: float) -> None:
        full = float(self.per_minute)
        self._buckets = {
            key: (tokens, last)
            for key, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * rate < full
        }

    def known_clients(self) -> list[bytes]:
        """The hashes currently held (for tests: never an address)."""
        with self._lock:
            return list(self._buckets)
