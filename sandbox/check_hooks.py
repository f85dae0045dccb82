"""The hooks Schemathesis loads (SCHEMATHESIS_HOOKS) when `sandbox check` runs it over HTTP."""
from __future__ import annotations

import json
import os
import urllib.request
from datetime import datetime, timezone

import schemathesis

from sandbox.check import SPEC, keep_case
from sandbox.jsonapi import spec

_SPEC = spec.load(SPEC).document


@schemathesis.hook
def filter_case(ctx, case):
    return keep_case(case, _SPEC)


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    # a fault asked for on purpose is an answer the spec declares, but would read as the server failing
    if case.headers:
        case.headers.pop("Sandbox-Fault", None)
    if "/clock" in case.operation.path and not os.environ.get("SANDBOX_CHECK_READ_ONLY"):
        _clock_from_real_time(case)


@schemathesis.hook
def after_call(ctx, case, response):
    # faults the check asked for would turn every later answer into an injected failure
    if case.operation.path == "/_sandbox/faults" and case.method.upper() == "PUT":
        _control(case, "DELETE", "faults")


def _control(case, method: str, route: str, body: dict | None = None) -> None:
    """One call to the control API of the check's own data set."""
    request = urllib.request.Request(
        f"{case.operation.base_url.rstrip('/')}/_sandbox/{route}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {os.environ['SANDBOX_CHECK_TOKEN']}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10):
        pass


def _clock_from_real_time(case) -> None:
    """Each clock call starts from real time: the generator's jumps (up to centuries) would otherwise add
    up past the last instant a clock can show, and valid calls would be refused."""
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    _control(case, "POST", "clock/freeze", {"at": now})
    _control(case, "POST", "clock/resume", {})
