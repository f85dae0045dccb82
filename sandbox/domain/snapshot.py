"""Seeded data sets on disk: generate once, copy after.

A snapshot is a state file that holds one data set, seeded, as generation 1. It is keyed by (seed,
count, scenario, data set, code version), so a changed key builds a new one and a repeated start copies the
file or imports its rows instead of generating them again. A brand-new state file starts as a copy
of the default data set's snapshot; any other data set is imported into the shared state in small
batches under a claim, so seeding or resetting one data set never blocks requests to another.
"""
from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
import sqlite3
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sandbox.catalogue import TABLES
from sandbox.domain.scenarios import Scenario
from sandbox.domain.seed import SeedData
from sandbox.store import DataSet, Store, create_indexes, create_tables, insert_rows

PACKAGE = Path(__file__).resolve().parents[1]
KEEP = 32             # snapshots kept in the directory; older ones are removed
WAIT = 120.0          # seconds a request waits for another worker's seed of the same data set


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the code and data that shape seeded records: any change means new snapshots."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.glob("data/fixtures/*.yaml")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def directory(configured: str = "") -> Path:
    """Where snapshots live: the configured folder, else the user's cache, else the temporary folder."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    for candidate in ([Path(configured)] if configured else [cache / "order-factory-sandbox",
                                                              Path(tempfile.gettempdir()) / "order-factory-sandbox"]):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            if os.access(candidate, os.W_OK):
                return candidate
        except OSError:
            continue
    raise OSError(f"no writable folder for snapshots (tried {configured or cache})")


@dataclass(frozen=True)
class Recipe:
    """What a data set is seeded from: the seed, the count of generated copies, and a scenario."""

    seed: int
    count: int
    scenario: Scenario | None = None

    @property
    def generated(self) -> int:
        return self.count if self.scenario is None or self.scenario.generated else 0

    def batches(self, dataset: str, part: tuple[int, int] = (0, 1)) -> Iterator[tuple[str, list[dict]]]:
        yield from SeedData(self.seed, dataset, self.generated).batches(part=part)
        for table, rows in (self.scenario.tables.items() if self.scenario and part[0] == 0 else ()):
            if rows:
                yield table, rows

    def key(self, dataset: str) -> str:
        scenario = f"{self.scenario.name}:{self.scenario.digest}" if self.scenario else "generated"
        return f"{self.seed}:{self.count}:{scenario}:{dataset}:{code_version()}"


def path_for(folder: Path, recipe: Recipe, dataset: str) -> Path:
    return folder / f"{hashlib.blake2b(recipe.key(dataset).encode(), digest_size=10).hexdigest()}.sqlite3"


def snapshot(folder: Path, recipe: Recipe, dataset: str, *, parallel: bool = False) -> Path:
    """The snapshot of a data set, built first if its key is new (`parallel`: on every core, for a
    start-up; while serving, one process builds, so the other cores keep serving)."""
    path = path_for(folder, recipe, dataset)
    if not path.exists():
        build(path, recipe, dataset, parallel=parallel)
        _prune(folder)
    else:
        os.utime(path)  # kept as recently used
    return path


PARALLEL_FROM = 20_000  # generated copy jobs from which the build uses every core


def build(path: Path, recipe: Recipe, dataset: str, *, parallel: bool = False) -> None:
    """Generate the data set into a fresh file (indexes built once, at the end) and move it into place.
    In `parallel`, a large one is generated in slices by one process per core, then joined."""
    partial = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.partial")
    slices = min(os.cpu_count() or 1, 8) if parallel and recipe.generated >= PARALLEL_FROM else 1
    if slices > 1:
        names = [f"{partial}.{n}" for n in range(slices)]
        with ProcessPoolExecutor(slices, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(_build_slice, names, [recipe] * slices, [dataset] * slices,
                          [(n, slices) for n in range(slices)]))
    db = _bulk_connection(partial)
    try:
        db.execute("BEGIN")
        create_tables(db, indexes=False)
        scope = f"{dataset}#1"
        if slices > 1:
            db.execute("COMMIT")
            for name in names:
                db.execute("ATTACH DATABASE ? AS slice", (name,))
                db.execute("BEGIN")
                for table in TABLES:
                    db.execute(f'INSERT INTO main."{table}" SELECT * FROM slice."{table}"')
                db.execute("COMMIT")
                db.execute("DETACH DATABASE slice")
                os.unlink(name)
            db.execute("BEGIN")
        else:
            for table, rows in recipe.batches(dataset):
                insert_rows(db, TABLES[table], scope, rows)
        create_indexes(db)
        db.execute("INSERT INTO datasets (dataset, scope, generation) VALUES (?, ?, 1)", (dataset, scope))
        db.execute("COMMIT")
    finally:
        db.close()
    os.replace(partial, path)


def _build_slice(name: str, recipe: Recipe, dataset: str, part: tuple[int, int]) -> None:
    db = _bulk_connection(name)
    try:
        db.execute("BEGIN")
        create_tables(db, indexes=False)
        for table, rows in recipe.batches(dataset, part):
            insert_rows(db, TABLES[table], f"{dataset}#1", rows)
        db.execute("COMMIT")
    finally:
        db.close()


def _bulk_connection(name: str) -> sqlite3.Connection:
    """A connection for a file nobody else reads yet: no journal, no fsync, sorting in memory."""
    db = sqlite3.connect(name, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA temp_store=MEMORY")
    db.execute("PRAGMA cache_size=-65536")
    return db


def _prune(folder: Path) -> None:
    """Keep the KEEP most recently used snapshots; drop partial files left by a killed build."""
    now = time.time()
    for stale in folder.glob("*.partial"):
        if now - stale.stat().st_mtime > 3600:
            stale.unlink(missing_ok=True)
    snapshots = sorted(folder.glob("*.sqlite3"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in snapshots[KEEP:]:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{old}{suffix}").unlink(missing_ok=True)


def ensure(store: Store, dataset: str, recipe: Recipe, *, folder: Path, limit: int = 0) -> DataSet:
    """The data set, seeded from its snapshot the first time anything asks for it. Raises DataSetLimit
    when it would be one data set too many."""
    deadline = time.monotonic() + WAIT
    while True:
        found = store.dataset(dataset)
        if found:
            return found
        scope = store.claim(dataset, limit=limit)
        if scope:
            _fill(store, dataset, scope, lambda: _import(store, scope, snapshot(folder, recipe, dataset), dataset))
        elif time.monotonic() > deadline:
            raise TimeoutError(f"data set {dataset!r} is still being seeded by another worker")
        else:
            time.sleep(0.02)


def reset(store: Store, dataset: str, recipe: Recipe, *, folder: Path) -> None:
    """Back to the recipe, atomically: readers see the old records until the new ones are complete."""
    load(store, dataset, lambda scope: _import(store, scope, snapshot(folder, recipe, dataset), dataset))


def replace(store: Store, dataset: str, tables: dict[str, list[dict]]) -> None:
    """Make a data set hold exactly these records (a fixture or scenario) instead of its seed."""
    load(store, dataset, lambda scope: store.insert_batches(scope, tables.items()))


def load(store: Store, dataset: str, fill) -> None:
    """Build a new generation of the data set with `fill(scope)` and switch to it."""
    deadline = time.monotonic() + WAIT
    while (scope := store.claim(dataset)) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"data set {dataset!r} is still being seeded by another worker")
        time.sleep(0.02)
    _fill(store, dataset, scope, lambda: fill(scope))


def _import(store: Store, scope: str, source: Path, dataset: str) -> None:
    store.import_scope(str(source), f"{dataset}#1", scope)


def _fill(store: Store, dataset: str, scope: str, fill) -> None:
    try:
        fill()
    except BaseException:
        store.release(dataset)
        store.purge(scope)
        raise
    garbage = store.install(dataset, scope)
    if garbage:
        store.purge(garbage)
