"""Data sets as requests meet them: seeded from a snapshot on first use, settled at the clock's now,
bounded in number, reset atomically."""
from __future__ import annotations

import os
from datetime import datetime

from flask import Flask, current_app

from sandbox.domain import lifecycle, scenarios, snapshot
from sandbox.domain.clock import Clock, iso
from sandbox.domain.journal import Journal
from sandbox.settings import Settings
from sandbox.store import DataSet, Store


class DataSets:
    def __init__(self, store: Store, settings: Settings):
        self.store, self.settings = store, settings
        self.folder = snapshot.directory(settings.snapshots)
        self.recipe = recipe(settings)
        self.notify: lifecycle.Notify = lambda *_: None  # the app sets the webhooks' (api/webhooks.py)

    def open(self, key: str) -> tuple[DataSet, datetime]:
        """The data set, seeded if new, with every transition due at its clock's now applied; and that now.
        Raises DataSetLimit when it would be one data set more than `max_datasets`."""
        found = snapshot.ensure(self.store, key, self.recipe, folder=self.folder, limit=self.settings.max_datasets)
        now = Clock(self.store, key, own=found.clock).now()
        if lifecycle.settle(self.store, key, self.settings.seed, now, scope=found.scope, notify=self.notify):
            found = self.store.dataset(key)
        return found, now

    def clock(self, key: str | None) -> Clock:
        """A data set's clock, or the default one (`key` None)."""
        return Clock(self.store, key)

    def reset(self, key: str) -> None:
        """Back to the scenario it started from (the data set's clock stays where it is)."""
        snapshot.reset(self.store, key, self.recipe, folder=self.folder)

    def load_scenario(self, key: str, name: str) -> None:
        """The data set holds a named scenario instead (ValueError for a name the package has not)."""
        if name not in scenarios.names():
            raise ValueError(f"no scenario {name!r}: give one of {', '.join(scenarios.names())}")
        chosen = snapshot.Recipe(self.settings.seed, self.settings.count, scenarios.load(name, self.settings.seed))
        snapshot.reset(self.store, key, chosen, folder=self.folder)

    def overview(self) -> list[dict]:
        """Every data set with its record counts and its clock."""
        listed = []
        for key in self.store.datasets():
            frozen_at, _, own = self.clock(key).state()
            listed.append({"dataset": key, "records": self.store.counts(key),
                           "clock": {"now": iso(self.clock(key).now()), "frozen": bool(frozen_at), "own": own}})
        return listed

    def replace(self, key: str, tables: dict[str, list[dict]]) -> None:
        snapshot.replace(self.store, key, tables)


def recipe(settings: Settings) -> snapshot.Recipe:
    """Seed, count and scenario (--fixtures, checked: ValueError names the file, record and field)."""
    return snapshot.Recipe(settings.seed, settings.count, scenarios.load(settings.fixtures, settings.seed))


def open_store(settings: Settings, default_dataset: str) -> Store:
    """The state: a new state file starts as a copy of the default data set's snapshot, so a start
    with a known key copies a file instead of generating records."""
    path = settings.db if settings.db not in ("", ":memory:") else None
    if path is not None and os.path.exists(path):
        return Store(path, query_budget=settings.query_budget)
    template = snapshot.snapshot(snapshot.directory(settings.snapshots), recipe(settings), default_dataset,
                                 parallel=True)
    return Store(path, query_budget=settings.query_budget, template=str(template))


def init_app(app: Flask, default_dataset: str) -> None:
    settings = app.config["SANDBOX"]
    store = open_store(settings, default_dataset)
    app.extensions["store"] = store
    app.extensions["datasets"] = DataSets(store, settings)
    app.extensions["journal"] = Journal(store, settings.journal_size)


def get_datasets() -> DataSets:
    return current_app.extensions["datasets"]
