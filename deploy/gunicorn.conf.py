"""Gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py`.

Uvicorn workers run the ASGI app; WEB_CONCURRENCY sets the process count and PORT the port.
(WEB_THREADS, the thread pool each worker gives to password hashing, is applied by the app.)
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from uvicorn_worker import UvicornWorker  # type: ignore[import-untyped]  # ships no type hints


class QuietUvicornWorker(UvicornWorker):  # type: ignore[misc]
    """Uvicorn's worker without its `Server: uvicorn` header, which only helps attackers."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {**UvicornWorker.CONFIG_KWARGS, "server_header": False}


wsgi_app = "hiremebahamas.app:create_app()"
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - containers listen on all interfaces
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = QuietUvicornWorker  # gunicorn takes the class itself as well as its dotted name
# Requests never run this long; a stuck worker is replaced instead of hanging the instance.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never take an instance down. Rarely: a
# restart costs a second of CPU, and under load clients pile onto the surviving workers.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "200000"))
max_requests_jitter = 20000
# gunicorn 27's control socket is for interactive management, which containers do not use.
control_socket_disable = True
accesslog = None  # the app logs each request as JSON with its request id
errorlog = "-"
forwarded_allow_ips = "*"  # client IPs are taken from TRUSTED_PROXIES by the app itself


def on_starting(server: object) -> None:
    # Metrics from every worker process are summed when this directory is set.
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            os.remove(os.path.join(directory, name))


def child_exit(server: object, worker: object) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined,no-untyped-call]
