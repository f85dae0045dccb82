"""`sandbox serve | token | spec`: every option of serve also reads a SANDBOX_* environment variable."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from sandbox.security.auth import (DEFAULT_ORGANIZATION, DEFAULT_SECRET, LIFETIME, is_loopback, issue_admin_token,
                                   issue_token)
from sandbox.settings import ROOT, Settings


@click.group()
def main() -> None:
    """A local, deterministic stand-in for Commerce Layer's order factory API."""


@main.command()
@click.option("--host", envvar="SANDBOX_HOST", help="Interface to listen on [127.0.0.1].")
@click.option("--port", envvar="SANDBOX_PORT", type=int, help="Port to listen on [8080].")
@click.option("--seed", envvar="SANDBOX_SEED", type=int, help="Seed of the generated data [1].")
@click.option("--count", envvar="SANDBOX_COUNT", type=click.IntRange(0, 1_000_000),
              help="Order factories seeded per data set [50].")
@click.option("--secret", envvar="SANDBOX_SECRET",
              help="Secret that signs access tokens [the published default on loopback; made for the run elsewhere].")
@click.option("--max-token-lifetime", envvar="SANDBOX_MAX_TOKEN_LIFETIME", type=click.IntRange(1),
              help="Longest token lifetime accepted, in seconds [14400, the real API's 4 hours].")
@click.option("--cors-origins", envvar="SANDBOX_CORS_ORIGINS",
              help="Comma-separated web origins allowed besides localhost on any port, or * [none].")
@click.option("--public-url", envvar="SANDBOX_PUBLIC_URL",
              help="Base of every link and Location header, e.g. https://sandbox.example.com [from each request].")
@click.option("--db", envvar="SANDBOX_DB", help="SQLite file to keep state in [in memory].")
@click.option("--frozen-at", envvar="SANDBOX_FROZEN_AT",
              help="Freeze the clock at this ISO-8601 instant, e.g. 2026-01-01T09:00:00Z [real time].")
@click.option("--start-after", envvar="SANDBOX_START_AFTER", type=click.FloatRange(0, 86400),
              help="Seconds from creating a copy to its start [2].")
@click.option("--run-for", envvar="SANDBOX_RUN_FOR", type=click.FloatRange(0, 86400),
              help="Seconds from a copy's start to its end [3].")
@click.option("--rate-limit", envvar="SANDBOX_RATE_LIMIT", type=click.IntRange(0),
              help="Requests per data set in each rate window; 0 is off [0].")
@click.option("--rate-interval", envvar="SANDBOX_RATE_INTERVAL", type=click.FloatRange(0.001, 86400),
              help="Seconds in a rate window [10].")
@click.option("--workers", envvar="SANDBOX_WORKERS", type=click.IntRange(1, 64),
              help="Worker processes sharing one state (gunicorn) [2].")
@click.option("--threads", envvar="SANDBOX_THREADS", type=click.IntRange(1, 64), help="Request threads per worker; 1 serves one request at a time per worker, fastest on few cores [1].")
@click.option("--max-connections", envvar="SANDBOX_MAX_CONNECTIONS", type=click.IntRange(1, 100_000),
              help="Connections waiting to be accepted (and open per threaded worker) [256].")
@click.option("--client-timeout", envvar="SANDBOX_CLIENT_TIMEOUT", type=click.FloatRange(0.1, 3600),
              help="Seconds a client may take to send a request or read the answer [10].")
@click.option("--max-datasets", envvar="SANDBOX_MAX_DATASETS", type=click.IntRange(1),
              help="Data sets (organization x mode) held at most; a new one past it gets 503 [100].")
@click.option("--query-budget", envvar="SANDBOX_QUERY_BUDGET", type=click.FloatRange(0),
              help="Seconds a query may run before it is stopped with a 400; 0 is no limit [2].")
@click.option("--snapshots", envvar="SANDBOX_SNAPSHOTS",
              help="Folder of seeded data set snapshots [the user's cache folder].")
def serve(**options) -> None:
    """Serve the sandbox with a production WSGI server."""
    from sandbox import create_app
    from sandbox.server import serve as run

    try:
        settings = Settings.load(**options)
        # seeds the default data set (from its snapshot) before announcing readiness
        app = create_app(settings)
    except ValueError as error:  # a malformed SANDBOX_* variable or --frozen-at
        raise click.UsageError(str(error)) from None
    base = f"http://{settings.host}:{settings.port}"
    secret = app.config["SANDBOX"].secret

    def ready() -> None:
        click.echo(f"Order factory sandbox on {base}/api (spec: {base}/openapi.yaml)")
        click.echo(f"Test-mode access token (organization {DEFAULT_ORGANIZATION}, valid 4 hours):")
        click.echo(issue_token(secret))
        if not settings.secret and not is_loopback(settings.host):
            click.echo(f"Listening beyond loopback, so tokens are signed with a secret made for this run: {secret}")
            click.echo(f"Mint more with: SANDBOX_SECRET='{secret}' sandbox token [--organization SLUG] "
                       "[--mode live] [--admin]")
        sys.stdout.flush()

    run(app, settings, ready)


@main.command()
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


@main.command()
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if openapi.yaml is not as rendered.")
@click.argument("path", default=str(ROOT / "openapi.yaml"), type=click.Path(exists=True, dir_okay=False))
def spec(check: bool, path: str) -> None:
    """Render the catalogue-derived parts of openapi.yaml (between its BEGIN and END markers)."""
    from sandbox.jsonapi.contract import render

    target = Path(path)
    current = target.read_text(encoding="utf-8")
    rendered = render(current)
    if check:
        if rendered != current:
            raise click.ClickException(f"{path} differs from what the catalogue renders: run `sandbox spec`")
        return
    target.write_text(rendered, encoding="utf-8")
    click.echo(f"{path}: {'rendered anew' if rendered != current else 'already up to date'}")


if __name__ == "__main__":
    main()
