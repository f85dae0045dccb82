from datetime import datetime, timedelta, timezone

import pytest

from sandbox.domain.clock import Clock, iso, parse_duration, parse_instant


class MemoryStore:
    """The clock's side of the store: the default clock under None, data sets' own under their keys."""

    def __init__(self):
        self.clocks = {}

    def read_clock(self, key):
        return self.clocks.get(key, (None, 0) if key is None else None)

    def write_clock(self, key, frozen_at, offset_ms):
        self.clocks[key] = (frozen_at, offset_ms)


T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_iso_has_milliseconds_and_z():
    assert iso(datetime(2018, 1, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)) == "2018-01-01T12:00:00.123Z"
    assert iso(datetime(2018, 1, 1, 13, tzinfo=timezone(timedelta(hours=1)))) == "2018-01-01T12:00:00.000Z"


@pytest.mark.parametrize("text, expected", [
    ("2026-03-01", T0 - timedelta(hours=12)),
    ("2026-03-01T12:00:00Z", T0),
    ("2026-03-01T13:00:00+01:00", T0),
    ("2026-03-01T12:00:00.000Z", T0),
    ("2024-02-29T12:00:00.5+00:00", datetime(2024, 2, 29, 12, 0, 0, 500000, tzinfo=timezone.utc)),
])
def test_parse_instant(text, expected):
    assert parse_instant(text) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-01", "2026-03-01T25:00:00Z", "1700000000",
                                  "2026-02-29", "2026-04-31", "1900-02-29", "2026-03-01T12:00:00", " 2026-03-01"])
def test_parse_instant_rejects(text):
    with pytest.raises(ValueError):
        parse_instant(text)


@pytest.mark.parametrize("text, seconds", [("90", 90), ("90s", 90), ("5m", 300), ("1h30m", 5400),
                                           ("2d", 172800), ("250ms", 0.25), ("1.5", 1.5)])
def test_parse_duration(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "-5", "5x", "m", "nan", "1e99"])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_real_clock_follows_real_time_plus_offset():
    real = [T0]
    clock = Clock(MemoryStore(), real_now=lambda: real[0])
    assert clock.now() == T0 and not clock.frozen
    clock.advance(timedelta(minutes=5))
    real[0] = T0 + timedelta(seconds=1)
    assert clock.now() == T0 + timedelta(minutes=5, seconds=1)


def test_freeze_advance_resume():
    real = [T0]
    store = MemoryStore()
    clock = Clock(store, real_now=lambda: real[0])
    assert clock.freeze(T0 + timedelta(days=1)) == T0 + timedelta(days=1)
    real[0] = T0 + timedelta(hours=3)
    assert clock.now() == T0 + timedelta(days=1)  # frozen: real time does not move it
    assert clock.advance(timedelta(seconds=30)) == T0 + timedelta(days=1, seconds=30)
    resumed = clock.resume()
    assert resumed == T0 + timedelta(days=1, seconds=30) and not clock.frozen
    real[0] += timedelta(seconds=10)
    assert clock.now() == resumed + timedelta(seconds=10)
    # another clock over the same store (another worker) agrees
    assert Clock(store, real_now=lambda: real[0]).now() == clock.now()


def test_a_data_sets_clock_follows_the_default_until_it_moves():
    real = [T0]
    store = MemoryStore()
    default, mine, theirs = (Clock(store, key, real_now=lambda: real[0]) for key in (None, "a:test", "b:test"))
    default.freeze(T0 + timedelta(days=1))
    assert mine.now() == theirs.now() == T0 + timedelta(days=1) and not mine.own
    mine.advance(timedelta(hours=1))  # starts from the default's instant, then is its own
    default.advance(timedelta(days=1))
    assert mine.now() == T0 + timedelta(days=1, hours=1) and mine.own and mine.frozen
    assert theirs.now() == T0 + timedelta(days=2) and not theirs.own
    mine.resume()
    real[0] += timedelta(seconds=5)
    assert mine.now() == T0 + timedelta(days=1, hours=1, seconds=5) and not mine.frozen
