"""The sandbox's notion of now: real time, shifted by an offset, or frozen; kept with the state so all workers agree."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Callable, Protocol


class ClockStore(Protocol):
    def get_setting(self, name: str) -> str | None: ...
    def set_setting(self, name: str, value: str | None) -> None: ...


def iso(moment: datetime) -> str:
    """The real API's timestamp format: UTC with milliseconds, e.g. 2018-01-01T12:00:00.000Z."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")[:23] + "Z"


def parse_instant(text: str) -> datetime:
    """An ISO-8601 date or datetime; naive ones are UTC. Raises ValueError on anything else."""
    value = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?", value):
        raise ValueError(f"not an ISO-8601 datetime: {text!r}")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?")


def parse_duration(text: str) -> timedelta:
    """`90s`, `5m`, `1h30m`, `2d`, `250ms`, or a number of seconds."""
    text = text.strip()
    try:
        seconds = float(text)
    except ValueError:
        match = _DURATION.fullmatch(text)
        if not text or not match:
            raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 5m, 1h30m, 2d)") from None
        d, h, m, s, ms = (int(part or 0) for part in match.groups())
        return timedelta(days=d, hours=h, minutes=m, seconds=s, milliseconds=ms)
    if not 0 <= seconds < 10**9:
        raise ValueError(f"not a duration: {text!r}")
    return timedelta(seconds=seconds)


class Clock:
    """Now = the frozen instant if frozen, else real time plus an offset. Both persist in the store."""

    def __init__(self, store: ClockStore, real_now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self._store = store
        self._real_now = real_now

    def now(self) -> datetime:
        frozen = self._store.get_setting("clock.frozen_at")
        if frozen:
            return parse_instant(frozen)
        return self._real_now() + self._offset()

    @property
    def frozen(self) -> bool:
        return bool(self._store.get_setting("clock.frozen_at"))

    def freeze(self, at: datetime | None = None) -> datetime:
        moment = self.now() if at is None else at
        self._store.set_setting("clock.frozen_at", iso(moment))
        return parse_instant(iso(moment))

    def advance(self, by: timedelta) -> datetime:
        if self.frozen:
            return self.freeze(self.now() + by)
        self._store.set_setting("clock.offset_ms", str(int((self._offset() + by).total_seconds() * 1000)))
        return self.now()

    def resume(self) -> datetime:
        """Run again from the current instant: the offset keeps time continuous."""
        moment = self.now()
        self._store.set_setting("clock.frozen_at", None)
        self._store.set_setting("clock.offset_ms", str(int((moment - self._real_now()).total_seconds() * 1000)))
        return self.now()

    def _offset(self) -> timedelta:
        return timedelta(milliseconds=int(self._store.get_setting("clock.offset_ms") or 0))
