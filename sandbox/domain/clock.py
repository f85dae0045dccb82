"""The sandbox's notion of now: real time, shifted by an offset, or frozen; kept with the state so all workers agree."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Callable, Protocol


class ClockStore(Protocol):
    def read_clock(self, key: str | None) -> tuple[str | None, int] | None: ...
    def write_clock(self, key: str | None, frozen_at: str | None, offset_ms: int) -> None: ...


def iso(moment: datetime) -> str:
    """The real API's timestamp format: UTC with milliseconds, e.g. 2018-01-01T12:00:00.000Z."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")[:23] + "Z"


# A calendar date that exists (leap years included) in years 1000-2999, optionally with a time and an
# offset. The query language and openapi.yaml share this exact pattern, so what the spec calls valid
# the sandbox accepts, and nothing else.
_YEAR = "(?:1[0-9]|2[0-9])[0-9]{2}"
_LEAP_YEAR = "(?:(?:1[0-9]|2[0-9])(?:0[48]|[2468][048]|[13579][26])|(?:1[26]|2[048])00)"
_DATE = (f"(?:{_YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
         f"|02-(?:0[1-9]|1[0-9]|2[0-8]))|{_LEAP_YEAR}-02-29)")
_TIME = r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
INSTANT_PATTERN = f"{_DATE}(?:{_TIME})?"
_INSTANT = re.compile(INSTANT_PATTERN)


def parse_instant(text: str) -> datetime:
    """A date (midnight UTC) or a datetime with `Z` or an offset, as INSTANT_PATTERN says. ValueError otherwise."""
    if not _INSTANT.fullmatch(text):
        raise ValueError(f"not an ISO-8601 datetime: {text!r}")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


# seconds (`90`, `1.5`) or units (`1h30m`, `2d`, `250ms`); openapi.yaml declares the same pattern
DURATION_PATTERN = (r"[0-9]{1,9}(?:\.[0-9]{1,3})?"
                    r"|(?:([0-9]{1,5})d)?(?:([0-9]{1,6})h)?(?:([0-9]{1,7})m)?(?:([0-9]{1,9})s)?(?:([0-9]{1,9})ms)?")
_DURATION = re.compile(DURATION_PATTERN)


def parse_duration(text: str) -> timedelta:
    """`90`, `1.5`, `90s`, `5m`, `1h30m`, `2d`, `250ms`. ValueError on anything else."""
    match = _DURATION.fullmatch(text)
    if not text or not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 5m, 1h30m, 2d)")
    if not any(match.groups()):
        return timedelta(seconds=float(text))
    d, h, m, s, ms = (int(part or 0) for part in match.groups())
    return timedelta(days=d, hours=h, minutes=m, seconds=s, milliseconds=ms)


# the last instant INSTANT_PATTERN can name (2999-12-31T23:59:59.999-23:59): the clock goes no further
LATEST = datetime(3000, 1, 1, 23, 58, 59, 999000, tzinfo=timezone.utc)


_UNREAD = object()


class Clock:
    """Now = the frozen instant if frozen, else real time plus an offset; kept in the store.

    The default clock (`key` None) is the sandbox's: real time, or `--frozen-at`. A data set's clock
    (`key` its key) follows the default until it is first moved, and from then on is its own, so two
    CI jobs with two organizations move time without touching each other.
    """

    def __init__(self, store: ClockStore, key: str | None = None,
                 real_now: Callable[[], datetime] = lambda: datetime.now(timezone.utc), *, own=_UNREAD):
        """`own`: the data set's own clock as already read (None: it follows the default)."""
        self._store, self.key, self._real_now, self._own = store, key, real_now, own

    def state(self) -> tuple[str | None, int, bool]:
        """(frozen instant or None, offset in ms, whether this clock is its own rather than the default's)."""
        own = self._store.read_clock(self.key) if self._own is _UNREAD else self._own
        if own is not None:
            return own[0], own[1], True
        default = self._store.read_clock(None) if self.key is not None else None
        return (*(default or (None, 0)), self.key is None)

    def now(self) -> datetime:
        frozen_at, offset_ms, _ = self.state()
        if frozen_at:
            return datetime.fromisoformat(frozen_at)
        return self._real_now() + timedelta(milliseconds=offset_ms)

    @property
    def frozen(self) -> bool:
        return bool(self.state()[0])

    @property
    def own(self) -> bool:
        return self.state()[2]

    def freeze(self, at: datetime | None = None) -> datetime:
        moment = self.now() if at is None else _within_range(at)
        self._store.write_clock(self.key, iso(moment), 0)
        return datetime.fromisoformat(iso(moment))

    def advance(self, by: timedelta) -> datetime:
        """Raises ValueError past LATEST."""
        frozen_at, offset_ms, _ = self.state()
        moment = _within_range(self.now() + by)
        if frozen_at:
            return self.freeze(moment)
        self._store.write_clock(self.key, None, offset_ms + int(by.total_seconds() * 1000))
        return self.now()

    def resume(self) -> datetime:
        """Run again from the current instant: the offset keeps time continuous."""
        moment = self.now()
        self._store.write_clock(self.key, None, int((moment - self._real_now()).total_seconds() * 1000))
        return self.now()


def _within_range(moment: datetime) -> datetime:
    if moment > LATEST:
        raise ValueError(f"the clock cannot go past {iso(LATEST)}")
    return moment


def init_app(app) -> None:
    """The default clock keeps its state in the app's store; `frozen_at` freezes it on start."""
    clock = Clock(app.extensions["store"])
    frozen_at = app.config["SANDBOX"].frozen_at
    if frozen_at:
        clock.freeze(parse_instant(frozen_at))
    app.extensions["clock"] = clock
