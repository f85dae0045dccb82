"""Rate limiting as the real API does it: a fixed window of requests per access token's data set.

Off unless `rate_limit` is set. Counts live in the process and windows run on real time (not the
sandbox clock, which tests freeze), so with several worker processes each counts on its own.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from sandbox.jsonapi.errors import ApiError


class RateLimiter:
    def __init__(self, limit: int, interval: float, now: Callable[[], float] = time.monotonic):
        self.limit, self.interval, self._now = limit, interval, now
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> dict[str, str]:
        """Count one request; its headers, or ApiError 429 (with them) past the limit."""
        with self._lock:
            now = self._now()
            start, count = self._windows.get(key, (now, 0))
            if now - start >= self.interval:
                start, count = now, 0
            count += 1
            self._windows[key] = (start, count)
        headers = {"x-ratelimit-limit": str(self.limit), "x-ratelimit-interval": f"{self.interval:g}",
                   "x-ratelimit-remaining": str(max(self.limit - count, 0))}
        if count > self.limit:
            raise ApiError(429, "TOO_MANY_REQUESTS", "Too many requests",
                           f"More than {self.limit} requests in {self.interval:g} seconds; slow down", headers=headers)
        return headers


def init_app(app) -> None:
    settings = app.config["SANDBOX"]
    app.extensions["ratelimit"] = RateLimiter(settings.rate_limit, settings.rate_interval) if settings.rate_limit else None
