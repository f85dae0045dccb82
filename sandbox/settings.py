"""One frozen set of settings, from defaults, SANDBOX_* variables and CLI flags (in that order)."""
from __future__ import annotations

import dataclasses
import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path

# the repository's root, in a checkout (openapi.yaml there is the copy people read)
ROOT = Path(__file__).resolve().parent.parent
# what the package ships: the contract and the fixtures, wherever the package is installed
DATA = Path(str(importlib.resources.files("sandbox") / "data"))


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    seed: int = 1
    # order factories seeded per data set
    count: int = 50
    # the scenario every data set starts from: a name in the package's fixtures, or a YAML path
    fixtures: str = "default"
    # requests kept per data set in the request journal (/_sandbox/requests); 0 keeps none
    journal_size: int = 500
    # signs access tokens; None: the published default on loopback, a secret made for the run elsewhere
    secret: str | None = None
    # longest token lifetime (exp - iat) accepted, in seconds; the real API's tokens last 4 hours
    max_token_lifetime: int = 14400
    # web origins allowed to call the sandbox from a browser, besides localhost on any port; "*" is any
    cors_origins: str = ""
    # base of every link and Location header ("" takes it from each request)
    public_url: str = ""
    # hosts webhooks may call besides loopback (comma-separated), and how long a callback may take
    webhook_hosts: str = ""
    webhook_timeout: float = 5.0
    # SQLite file that keeps the state across restarts; "" (or ":memory:"): a file made for the run,
    # shared by its workers and removed when it ends
    db: str = ""
    # folder of seeded data set snapshots; "" is the user's cache folder
    snapshots: str = ""
    # data sets (organization x mode) the sandbox holds at most; past it a new one gets 503
    max_datasets: int = 100
    # seconds one query may run before it is stopped and answered 400; 0 is no limit
    query_budget: float = 2.0
    # server: worker processes, threads per worker, open connections per worker, seconds a client
    # may take to send a request or stay idle between requests
    workers: int = 2
    threads: int = 1
    max_connections: int = 256
    client_timeout: float = 10.0
    # a new copy starts this many seconds after it is created, and ends this many seconds after it started
    start_after: float = 2.0
    run_for: float = 3.0
    # ISO-8601 instant to freeze the clock at on start; None runs on real time
    frozen_at: str | None = None
    # requests allowed per data set in each window of rate_interval seconds; 0 turns limiting off
    rate_limit: int = 0
    rate_interval: float = 10.0
    # check every answer against openapi.yaml; violations are logged, marked and listed (api/violations.py)
    validate_responses: bool = False
    spec_path: Path = DATA / "openapi.yaml"
    fixtures_path: Path = DATA / "fixtures"

    @classmethod
    def load(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then SANDBOX_<NAME> variables, then explicit overrides that are not None."""
        environ = os.environ if environ is None else environ
        values = {}
        for field in dataclasses.fields(cls):
            raw = environ.get(f"SANDBOX_{field.name.upper()}")
            if raw is not None:
                values[field.name] = _convert(field, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _convert(field: dataclasses.Field, raw: str):
    kind = field.type if isinstance(field.type, str) else field.type.__name__
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"SANDBOX_{field.name.upper()} must be a whole number, not {raw!r}") from None
    if kind == "float":
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"SANDBOX_{field.name.upper()} must be a number, not {raw!r}") from None
    if kind == "bool":
        if raw.lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
            raise ValueError(f"SANDBOX_{field.name.upper()} must be true or false, not {raw!r}")
        return raw.lower() in ("1", "true", "yes", "on")
    if kind == "Path":
        return Path(raw)
    return raw
