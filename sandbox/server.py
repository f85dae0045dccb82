"""Serving an app: N pre-forked gunicorn workers sharing one state file, or waitress where gunicorn does
not run (Windows). Either way each worker process runs its own scheduler."""
from __future__ import annotations

from typing import Callable

from flask import Flask

from sandbox.domain import scheduler
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
                "worker_class": "gthread",
                "threads": settings.threads,
                # connections a worker holds open at once; more wait in the listen backlog
                "worker_connections": settings.max_connections,
                # idle keep-alive connections are closed after this; so are clients that send nothing
                "keepalive": max(1, round(settings.client_timeout)),
                "timeout": 30,
                "graceful_timeout": 10,
                # long filters are bounded by the query parser, which answers a JSON:API error
                "limit_request_line": 0,
                "accesslog": None,
                "loglevel": "warning",
                # the app and its state exist before the fork: workers share the state file
                "preload_app": True,
                "when_ready": lambda _arbiter: ready(),
                "post_worker_init": lambda _worker: scheduler.start(app),
            }.items():
                self.cfg.set(name, value)

        def load(self):
            return app

    Server().run()


def _serve_waitress(app: Flask, settings: Settings, ready: Callable[[], None]) -> None:
    import logging

    from waitress.server import create_server

    server = create_server(app, host=settings.host, port=settings.port, threads=settings.threads,
                           connection_limit=settings.max_connections, channel_timeout=int(settings.client_timeout),
                           ident="order-factory-sandbox")
    # "Task queue depth is N" only says all threads were busy for a moment; requests still queue and finish
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    scheduler.start(app)
    ready()
    server.run()
