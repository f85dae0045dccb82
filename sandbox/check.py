"""`sandbox check`: every Schemathesis check of openapi.yaml, run against any server said to be this API
(a sandbox, a staging proxy, the real API with a test token), so the stand-in never drifts from what it
stands in for.

It runs Schemathesis's own command line, which brings progress per operation, a summary with a `curl`
to reproduce each failure, and JUnit XML; this module checks first that the server can be checked at
all, says which operations apply to it, and hands Schemathesis the contract's allowances
(data/schemathesis.toml) and hooks (sandbox/check_hooks.py). The contract suite of the sandbox's own
tests reads the same allowances and filters cases with `keep_case`.
"""
from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import jsonschema
import schemathesis
from sandbox.jsonapi import spec
from sandbox.jsonapi.conformance import attributes_by_type, missing_attributes
from sandbox.settings import DATA

SPEC = DATA / "openapi.yaml"
CONFIG = DATA / "schemathesis.toml"
JSONAPI = "application/vnd.api+json"
# what a --read-only check leaves out: every method the spec declares that may change something
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PHASES = ("examples", "coverage", "fuzzing", "stateful")


class CheckError(Exception):
    """The server cannot be checked: one line saying why."""


def probe(root: str, token: str, timeout: float = 10) -> bool:
    """Whether `root` answers as this API does with `token`; True if it serves the control API too.
    CheckError when it cannot be reached, refuses the token, or is something else."""
    status, headers, body = _get(f"{root}/api/order_factories?page%5Bsize%5D=1", token, timeout)
    if status == 401:
        raise CheckError(f"{root} refused the token (401): pass an access token it issued, e.g. "
                         "`--token $(sandbox token)` for a sandbox with the published secret")
    document = _json(body)
    if not 200 <= status < 300 or not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise CheckError(f"{root} does not serve this API: GET {root}/api/order_factories answered {status} "
                         f"{headers.get('Content-Type') or 'without a Content-Type'}, not a JSON:API list "
                         "(--url is the root the API's paths start from, e.g. http://127.0.0.1:8080, without /api)")
    return _get(f"{root}/_sandbox/clock", token, timeout)[0] == 200


def _get(url: str, token: str, timeout: float) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Accept": JSONAPI})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise CheckError(f"cannot reach {url.split('/api/')[0].split('/_sandbox/')[0]}: {reason}") from None


def _json(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return None


def command(root: str, *, junit: str | None, read_only: bool, max_examples: int, seed: int | None,
            phases: tuple[str, ...], control: bool, config: Path) -> list[str]:
    """The Schemathesis command line of one check (the config written to `config` beside it)."""
    argv = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", str(SPEC), "--url", root,
            "--checks", "all", "--max-examples", str(max_examples)]
    if seed is not None:
        argv += ["--seed", str(seed)]
    if junit:
        argv += ["--report", "junit", "--report-junit-path", junit]
    # the real API and proxies of it serve /api only; the admin routes want another token (the
    # sandbox's own contract suite checks them)
    argv += ["--include-path-regex", "^/api/"] if not control else ["--exclude-path-regex", "^/_sandbox/admin"]
    if read_only:  # excluded, not "include GET": Schemathesis ORs its include filters (path or method)
        argv += [arg for method in WRITE_METHODS for arg in ("--exclude-method", method)]
        phases = tuple(phase for phase in phases if phase != "stateful")  # links lead from writes
    return [*argv, "--phases", ",".join(phases)]


def config_text(read_only: bool) -> str:
    """data/schemathesis.toml, plus the token (read from the environment, never on a command line: as
    the spec's bearer scheme, so Schemathesis also checks that requests without it are refused) and, for
    a read-only check, no calls with methods the spec does not declare (a 405 probe is still a write)."""
    text = CONFIG.read_text(encoding="utf-8")
    text += '\n[auth.openapi.bearerAuth]\nbearer = "${SANDBOX_CHECK_TOKEN}"\n'
    if read_only:
        text += "\n[phases.coverage]\nunexpected-methods = []\n"
    return text


def run(root: str, token: str, *, junit: str | None = None, read_only: bool = False, max_examples: int = 20,
        seed: int | None = None, phases: tuple[str, ...] = PHASES, echo=print) -> int:
    """Check the server at `root`; Schemathesis's exit status (0: nothing failed)."""
    root = root.rstrip("/")
    if junit and not Path(junit).resolve().parent.is_dir():
        raise CheckError(f"--junit {junit}: the folder {Path(junit).resolve().parent} does not exist")
    control = probe(root, token)
    echo(f"{root} serves the control API: checking every operation but the admin routes (/_sandbox/admin)."
         if control else f"{root} serves no control API (/_sandbox): checking the /api operations only.")
    if read_only:
        echo("Read-only: only GET and HEAD requests are sent.")
    with tempfile.TemporaryDirectory(prefix="sandbox-check-") as folder:
        config = Path(folder) / "schemathesis.toml"
        config.write_text(config_text(read_only), encoding="utf-8")
        argv = command(root, junit=junit, read_only=read_only, max_examples=max_examples, seed=seed,
                       phases=phases, control=control, config=config)
        env = {**os.environ, "SCHEMATHESIS_HOOKS": "sandbox.check_hooks", "SANDBOX_CHECK_TOKEN": token,
               "SANDBOX_CHECK_READ_ONLY": "1" if read_only else ""}
        try:
            return subprocess.run(argv, env=env).returncode
        except KeyboardInterrupt:  # Schemathesis got the Ctrl-C too and said what it had done
            return 130


@schemathesis.check
def complete_attributes(ctx, response, case):
    """Every attribute is in a resource object unless `fields[<type>]` selects some (openapi.yaml says so
    in prose; a schema cannot tie the body to the query)."""
    try:
        body = response.json()
    except ValueError:
        return None
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(response.request.url).query))
    problems = missing_attributes(body, query, _attributes())
    if problems:
        raise AssertionError("\n".join(problems[:3]))
    return None


@functools.lru_cache(maxsize=1)
def _attributes() -> dict[str, set[str]]:
    return attributes_by_type(spec.load(SPEC).document)


# --- which generated cases reach a server as what they claim to be ---------------------------------


def _wire(value):
    """What a query value becomes on the wire: strings; None and empty containers vanish."""
    if isinstance(value, dict):
        wired = {k: _wire(v) for k, v in value.items()}
        wired = {k: v for k, v in wired.items() if v is not None}
        return wired or None
    if isinstance(value, list):
        wired = [w for w in map(_wire, value) if w is not None]
        return wired or None
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def _typed(value, schema: dict):
    """A wire string read as its declared type, where the schema declares an integer (page[...])."""
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        return {k: _typed(v, properties.get(k, {})) for k, v in value.items()}
    if schema.get("type") == "integer" and isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    return value


def _query_schemas(case, spec: dict) -> dict:
    operation = spec["paths"][case.operation.path]
    parameters = [*operation.get("parameters", []), *operation[case.method.lower()].get("parameters", [])]
    resolved = [spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
                for p in parameters]
    return {p["name"]: p["schema"] for p in resolved if p["in"] == "query"}


def _nested(query: dict) -> dict:
    """`{"filter[q][a]": v}` (as some phases hand the query over) -> `{"filter": {"q": {"a": v}}}`."""
    conflicting = {"": "a key that is both a value and an object"}  # valid nowhere: the case is kept
    nested: dict = {}
    for key, value in query.items():
        *path, last = key.replace("]", "").split("[")
        node = nested
        for part in path:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                return conflicting
        if last in node:
            return conflicting
        node[last] = value
    return nested


def _valid_on_the_wire(case, spec: dict) -> bool:
    schemas = _query_schemas(case, spec)
    wired = {k: w for k, w in ((k, _wire(v)) for k, v in _nested(case.query or {}).items()) if w is not None}
    return all(name in schemas and jsonschema.Draft202012Validator(
        {**schemas[name], "components": spec["components"]}).is_valid(_typed(value, schemas[name]))
        for name, value in wired.items())


def keep_case(case, spec: dict) -> bool:
    """Keep a negative case only if what reaches the server is invalid.

    A query string carries only strings: `true` sent for an enum of "true"/"false", or an empty
    object that expands to no key at all, is valid once on the wire, whatever the generator meant.
    """
    from schemathesis.core.parameters import ParameterLocation
    from schemathesis.generation import GenerationMode

    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.NEGATIVE:
        return True
    if case.method.lower() not in spec["paths"].get(case.operation.path, {}):
        return True
    # where the case breaks the schema: fuzzing records it per component, coverage per case
    locations = {location for location, info in meta.components.items() if info.mode == GenerationMode.NEGATIVE}
    location = getattr(meta.phase.data, "parameter_location", None)
    locations |= {location} if location else set()
    # the one header parameter, Sandbox-Fault, is taken off every generated request before it is sent
    locations.discard(ParameterLocation.HEADER)
    if not locations:
        return False
    return locations != {ParameterLocation.QUERY} or not _valid_on_the_wire(case, spec)
