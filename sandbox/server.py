"""Serving an app: N pre-forked gunicorn workers sharing one state file, or waitress where gunicorn does
not run (Windows). Either way each worker process runs its own scheduler."""
from __future__ import annotations

import logging
import signal
import socket
import subprocess
import time
import urllib.request
from typing import Callable

from flask import Flask

from sandbox.api.webhooks import deliver_due
from sandbox.domain import scheduler

try:
    from gunicorn.workers.sync import SyncWorker
except ImportError:  # Windows: no gunicorn, waitress serves instead
    SyncWorker = object
from sandbox.settings import Settings


def serve(app: Flask, settings: Settings, ready: Callable[[], None]) -> None:
    """Serve until stopped; `ready` runs once the port is bound, before the first request."""
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # gunicorn needs fork(): Windows gets one waitress process
        return _serve_waitress(app, settings, ready)

    class Server(BaseApplication):
        def load_config(self):
            host = f"[{settings.host}]" if ":" in settings.host else settings.host
            for name, value in {
                "bind": f"{host}:{settings.port}",
                "workers": settings.workers,
                # one request at a time per process: no GIL contention between request threads, which
                # halves throughput under load; with --threads above 1 gunicorn runs threads (gthread)
                "worker_class": "sandbox.server.TimedSyncWorker",
                "threads": settings.threads,
                # connections a threaded worker holds open at once; others wait in the listen backlog
                "worker_connections": settings.max_connections,
                "backlog": settings.max_connections,
                # idle keep-alive connections (threaded workers) are closed after this
                "keepalive": max(1, round(settings.client_timeout)),
                # a worker that stops answering its master (a request stuck that long) is replaced
                "timeout": 120,
                "graceful_timeout": 10,
                # long filters are bounded by the query parser, which answers a JSON:API error
                "limit_request_line": 0,
                "accesslog": None,
                "loglevel": "warning",
                # the app and its state exist before the fork: workers share the state file
                "preload_app": True,
                "when_ready": lambda arbiter: _graceful_on_interrupt(arbiter) or ready(),
                "post_worker_init": _worker_started,
            }.items():
                self.cfg.set(name, value)

        def load(self):
            return app

    def _worker_started(_worker) -> None:
        # Ctrl-C reaches the whole process group: a worker leaves its stopping to the master, which
        # lets it finish the request in hand
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        scheduler.start(app, deliver=lambda: deliver_due(app))

    Server().run()


def _graceful_on_interrupt(arbiter) -> None:
    """SIGINT stops as SIGTERM does: no new connections, requests in hand finished, exit 0."""
    arbiter.handle_int = arbiter.handle_term


def free_port() -> int:
    """A loopback port nobody holds now: for the sandboxes tests, benchmarks and the pytest plugin start."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answers(url: str, seconds: float = 60, process: subprocess.Popen | None = None) -> None:
    """Return once `url` answers (a served sandbox's /healthz). RuntimeError if `process`, the server
    behind it, exits first; TimeoutError after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {seconds:g} s") from None
            time.sleep(0.02)


def port_in_use(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


class TimedSyncWorker(SyncWorker):
    """gunicorn's sync worker, with a deadline on every read from and write to a client: a client that
    sends or reads too slowly loses its connection instead of holding the worker."""

    def init_process(self):
        self.log.error_log.addFilter(_without_client_timeouts)
        super().init_process()

    def accept(self, listener):
        client, address = listener.accept()
        client.settimeout(self.cfg.keepalive)
        self.handle(listener, client, address)


def _without_client_timeouts(record: logging.LogRecord) -> bool:
    """A client that ran out of time is the bound working, not an error worth a traceback."""
    return not (record.exc_info and isinstance(record.exc_info[1], TimeoutError))


def _serve_waitress(app: Flask, settings: Settings, ready: Callable[[], None]) -> None:
    from waitress.server import create_server

    server = create_server(app, host=settings.host, port=settings.port, threads=settings.threads,
                           connection_limit=settings.max_connections, channel_timeout=int(settings.client_timeout),
                           ident="order-factory-sandbox")
    # "Task queue depth is N" only says all threads were busy for a moment; requests still queue and finish
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    scheduler.start(app, deliver=lambda: deliver_due(app))
    ready()
    server.run()
