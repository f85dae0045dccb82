"""Transitions happen on time with nobody reading: a thread per worker applies what falls due (and
writes the worker's request journal).

Every worker runs one; the store makes each transition happen exactly once, because `settle` reads
the due copies again inside its write transaction, and a copy already moved by another worker is no
longer due. A frozen clock stays deterministic: transitions are dated when they were due, not when
they were applied.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Callable

from sandbox.catalogue import ORDER_FACTORIES
from sandbox.domain import lifecycle
from sandbox.domain.clock import Clock
from sandbox.domain.journal import Journal
from sandbox.store import Store

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, store: Store, seed: int, *, interval: float = 0.1, journal: Journal | None = None,
                 notify: lifecycle.Notify = lambda *_: None, deliver: Callable[[], int] = lambda: 0,
                 real_now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.store, self.seed, self.interval, self.real_now = store, seed, interval, real_now
        self.journal, self.notify, self.deliver = journal, notify, deliver
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Apply every transition due now, in every data set, each by its own clock; how many."""
        applied = sum(lifecycle.settle(self.store, key, self.seed, Clock(self.store, key, self.real_now).now(),
                                       notify=self.notify)
                      for key in self.store.datasets_with_pending(ORDER_FACTORIES))
        self.deliver()  # the webhook calls that fell due, transitions' ones included
        return applied

    def start(self) -> "Scheduler":
        self._thread = threading.Thread(target=self._run, name="sandbox-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once()
                if self.journal:  # this worker's recorded requests, in one transaction
                    self.journal.flush()
            except Exception:  # a busy database or a bad record must not end the thread
                log.exception("scheduler pass failed; trying again")


def start(app, deliver: Callable[[], int] = lambda: 0) -> Scheduler:
    """The scheduler of an app, started (once per worker process); `deliver` sends the webhook calls due."""
    settings = app.config["SANDBOX"]
    return Scheduler(app.extensions["store"], settings.seed, journal=app.extensions["journal"],
                     notify=app.extensions["datasets"].notify, deliver=deliver).start()
