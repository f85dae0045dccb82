"""`sandbox serve | token | spec | check | listen`: every option of serve also reads a SANDBOX_* environment variable."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from sandbox.security.auth import (DEFAULT_ORGANIZATION, DEFAULT_SECRET, LIFETIME, is_loopback, issue_admin_token,
                                   issue_token)
from sandbox.settings import DATA, ROOT, Settings


HELP = {"help_option_names": ["-h", "--help"], "show_default": True}


class StartError(click.ClickException):
    """A start-up problem a user can fix: one line, exit 2, no traceback."""

    exit_code = 2


@click.group(context_settings=HELP)
@click.version_option(package_name="order-factory-sandbox", message="sandbox %(version)s")
def main() -> None:
    """A local, deterministic stand-in for Commerce Layer's order factory API."""


def _option(flag: str, help: str, shown: str | None = None, **kwargs):
    """A serve option that reads SANDBOX_<NAME> too; its help shows the variable and the default."""
    name = flag.lstrip("-").replace("-", "_")
    default = Settings.__dataclass_fields__[name].default
    shown = shown if shown is not None else str(default)
    return click.option(flag, envvar=f"SANDBOX_{name.upper()}", show_envvar=True,
                        help=f"{help} [default: {shown}]", **kwargs)


@main.command(context_settings=HELP)
@_option("--host", "Interface to listen on.", shown="127.0.0.1; 0.0.0.0 in the Docker image")
@_option("--port", "Port to listen on.", type=int)
@_option("--seed", "Seed of the generated data: the same seed gives the same bytes.", type=int)
@_option("--count", "Order factories generated per data set.", type=click.IntRange(0, 1_000_000))
@_option("--fixtures", "Scenario every data set starts from: a name in the package's fixtures, or a YAML path.",
         shown="default")
@_option("--secret", "Secret that signs access tokens.", shown="the published one on loopback, one made for the run elsewhere")
@_option("--max-token-lifetime", "Longest token lifetime accepted, in seconds.", type=click.IntRange(1))
@_option("--cors-origins", "Web origins allowed besides localhost on any port (comma-separated), or *.", shown="none")
@_option("--public-url", "Base of every link and Location header, e.g. https://sandbox.example.com.",
         shown="the scheme and host of each request")
@_option("--db", "SQLite file that keeps the state across restarts.", shown="a file made for the run, removed at exit")
@_option("--frozen-at", "Freeze the default clock at this instant, e.g. 2026-01-01T09:00:00Z.", shown="real time")
@_option("--start-after", "Seconds from creating a copy to its start.", type=click.FloatRange(0, 86400))
@_option("--run-for", "Seconds from a copy's start to its end.", type=click.FloatRange(0, 86400))
@_option("--rate-limit", "Requests per data set in each rate window; 0 is off.", type=click.IntRange(0))
@_option("--rate-interval", "Seconds in a rate window.", type=click.FloatRange(0.001, 86400))
@_option("--workers", "Worker processes sharing one state (gunicorn).", type=click.IntRange(1, 64))
@_option("--threads", "Request threads per worker; 1 is fastest on few cores.", type=click.IntRange(1, 64))
@_option("--max-connections", "Connections waiting to be accepted (and open per threaded worker).",
         type=click.IntRange(1, 100_000))
@_option("--client-timeout", "Seconds a client may take to send a request or read the answer.",
         type=click.FloatRange(0.1, 3600))
@_option("--max-datasets", "Data sets (organization x mode) held at most; a new one past it gets 503.",
         type=click.IntRange(1))
@_option("--query-budget", "Seconds a query may run before it is stopped with a 400; 0 is no limit.",
         type=click.FloatRange(0))
@_option("--snapshots", "Folder of seeded data set snapshots.", shown="the user's cache folder")
@_option("--webhook-hosts", "Hosts webhooks may call besides loopback (comma-separated).", shown="none")
@_option("--webhook-timeout", "Seconds a webhook callback may take to answer.", type=click.FloatRange(0.1, 60))
@_option("--journal-size", "Requests kept per data set in the request journal; 0 keeps none.",
         type=click.IntRange(0, 100_000))
@_option("--validate-responses", "Check every answer against openapi.yaml; list violations at /_sandbox/violations.",
         is_flag=True, default=None)
def serve(**options) -> None:
    """Serve the sandbox: gunicorn workers sharing one state, a scheduler in each."""
    from sandbox import create_app
    from sandbox.server import port_in_use, serve as run

    try:
        settings = Settings.load(**options)
    except ValueError as error:  # a malformed SANDBOX_* variable
        raise StartError(str(error)) from None
    _check_db(settings.db)
    if port_in_use(settings.host, settings.port):
        raise StartError(f"port {settings.port} on {settings.host} is in use: stop what holds it, or choose "
                         "another with --port (SANDBOX_PORT), e.g. make serve PORT=8081")
    try:
        # seeds the default data set (from its snapshot) before announcing readiness
        app = create_app(settings)
    except ValueError as error:  # --frozen-at, a fixture that does not check out, a state file of another kind
        raise StartError(str(error)) from None
    secret = app.config["SANDBOX"].secret
    run(app, settings, lambda: _banner(settings, secret))


def _check_db(db: str) -> None:
    if not db or db == ":memory:":
        return
    path = Path(db)
    if not path.parent.is_dir():
        raise StartError(f"--db {db}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise StartError(f"--db {db} is a folder; give a file path")
    if path.exists() and path.stat().st_size:
        with open(path, "rb") as file:
            if file.read(16) != b"SQLite format 3\x00":
                raise StartError(f"--db {db} is not a SQLite database; give a new path or a file the sandbox wrote")


def _banner(settings: Settings, secret: str) -> None:
    """Printed once the port is bound: a URL that answers, a token, and what is being served."""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    base = f"http://{host}:{settings.port}"
    click.echo(f"Order factory sandbox ready: {base}/api/order_factories (dashboard: {base}/, "
               f"spec: {base}/openapi.yaml)")
    click.echo(f"Test-mode access token (organization {DEFAULT_ORGANIZATION}, valid 4 hours):")
    click.echo(issue_token(secret))
    state = settings.db if settings.db not in ("", ":memory:") else "a file made for this run, removed at exit"
    clock = f"frozen at {settings.frozen_at}" if settings.frozen_at else "real time"
    click.echo(f"Seed {settings.seed}, {settings.count} order factories per data set, scenario "
               f"{settings.fixtures or 'default'}; state: {state}; clock: {clock}; "
               f"{settings.workers} worker(s).")
    if not settings.secret and not is_loopback(settings.host):
        click.echo(f"Listening beyond loopback, so tokens are signed with a secret made for this run: {secret}")
        click.echo(f"Mint more with: SANDBOX_SECRET='{secret}' sandbox token [--organization SLUG] "
                   "[--mode live] [--admin]")
    click.echo("Ctrl-C to stop.")
    sys.stdout.flush()


@main.command(context_settings=HELP)
@click.option("--mode", type=click.Choice(["test", "live"]), default="test", show_default=True)
@click.option("--organization", default=DEFAULT_ORGANIZATION, show_default=True, help="Organization slug.")
@click.option("--admin", is_flag=True, help="A token for /_sandbox/admin (whole-sandbox operations) instead.")
@click.option("--lifetime", type=click.IntRange(1), default=LIFETIME, show_default=True,
              help="Seconds the token lives; a sandbox refuses more than its --max-token-lifetime.")
@click.option("--secret", envvar="SANDBOX_SECRET", help="Secret that signs access tokens [the published default].")
def token(mode: str, organization: str, admin: bool, lifetime: int, secret: str | None) -> None:
    """Print an access token that a sandbox served with the same secret accepts."""
    secret = secret or DEFAULT_SECRET
    click.echo(issue_admin_token(secret, lifetime=lifetime) if admin else
               issue_token(secret, organization=organization, mode=mode, lifetime=lifetime))


@main.command(context_settings=HELP)
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a spec is not as rendered.")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def spec(check: bool, paths: tuple[str, ...]) -> None:
    """Render the catalogue-derived parts of openapi.yaml (between its BEGIN and END markers): the
    package's copy, and the repository's beside it in a checkout [or the PATHS given]."""
    from sandbox.jsonapi.contract import render

    targets = [Path(p) for p in paths] or [DATA / "openapi.yaml", *[p for p in [ROOT / "openapi.yaml"] if p.exists()]]
    for target in targets:
        current = target.read_text(encoding="utf-8")
        rendered = render(current)
        if check:
            if rendered != current:
                raise click.ClickException(f"{target} differs from what the catalogue renders: run `sandbox spec`")
            continue
        target.write_text(rendered, encoding="utf-8")
        click.echo(f"{target}: {'rendered anew' if rendered != current else 'already up to date'}")


@main.command(context_settings=HELP)
@click.option("--url", required=True, help="Root of the server to check, e.g. http://127.0.0.1:8080 or "
              "https://<organization>.commercelayer.io.")
@click.option("--token", required=True, envvar="SANDBOX_CHECK_TOKEN", show_envvar=True,
              help="An access token the server accepts (`sandbox token` for a sandbox).")
@click.option("--junit", type=click.Path(dir_okay=False), help="Write a JUnit XML report here.")
@click.option("--read-only", is_flag=True, help="Send only GET and HEAD requests (for the real API).")
@click.option("--max-examples", type=click.IntRange(1), default=20, help="Cases generated per operation.")
@click.option("--seed", type=int, help="Seed of the generated cases, to repeat a run [random].")
@click.option("--phases", default="examples,coverage,fuzzing,stateful",
              help="Schemathesis phases to run, comma-separated (stateful only when writes are allowed).")
def check(url: str, token: str, junit: str | None, read_only: bool, max_examples: int, seed: int | None,
          phases: str) -> None:
    """Check a server against openapi.yaml with every Schemathesis check (and the stateful links when
    writes are allowed); exit 0 only when nothing failed."""
    from sandbox.check import PHASES, CheckError, run

    chosen = tuple(phase.strip() for phase in phases.split(",") if phase.strip())
    unknown = set(chosen) - set(PHASES)
    if unknown or not chosen:
        raise click.BadParameter(f"choose among {', '.join(PHASES)}", param_hint="--phases")
    try:
        status = run(url, token, junit=junit, read_only=read_only, max_examples=max_examples, seed=seed,
                     phases=chosen, echo=click.echo)
    except CheckError as error:
        raise StartError(str(error)) from None
    sys.exit(status)


@main.command(context_settings=HELP)
@click.option("--port", type=int, default=9000, help="Port to listen on.")
@click.option("--secret", default="", help="A webhook's shared_secret, to check the signatures [none: not checked].")
def listen(port: int, secret: str) -> None:
    """Receive webhook calls and print each: topic, whether its signature verifies, the resource."""
    import http.server
    import json

    from sandbox.api.webhooks import signature_of

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            signed = self.headers.get("X-CommerceLayer-Signature", "")
            verdict = ("signature verifies" if secret and signed == signature_of(body, secret) else
                       "signature does NOT verify" if secret else "signature not checked (no --secret)")
            try:
                data = json.loads(body).get("data") or {}
                what = f"{data.get('type')} {data.get('id')} {(data.get('attributes') or {}).get('status', '')}"
            except (ValueError, AttributeError):
                what = f"{len(body)} bytes, not JSON"
            click.echo(f"{self.headers.get('X-CommerceLayer-Topic', '?')}: {what.strip()} ({verdict})")
            sys.stdout.flush()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    click.echo(f"Listening for webhook calls on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
