"""gunicorn's settings for `make serve` and the systemd unit, read from the environment.

WEB_BIND (127.0.0.1:8000), WEB_WORKERS (2 x CPU cores + 1), WEB_THREADS (1: sync
workers; more: gthread), WEB_TIMEOUT (30 s), WEB_GRACEFUL_TIMEOUT (30 s),
WEB_KEEPALIVE (5 s), WEB_MAX_REQUESTS (0: never recycle a worker) with
WEB_MAX_REQUESTS_JITTER. See docs/operations/production.md.
"""

from __future__ import annotations

import os

from config.env import env_int, env_str


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


wsgi_app = "config.wsgi:application"
bind = env_str("WEB_BIND", "127.0.0.1:8000").split(",")
workers = env_int("WEB_WORKERS", 2 * _cores() + 1)
threads = env_int("WEB_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = env_int("WEB_TIMEOUT", 30)
graceful_timeout = env_int("WEB_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("WEB_KEEPALIVE", 5)
max_requests = env_int("WEB_MAX_REQUESTS", 0)
max_requests_jitter = env_int("WEB_MAX_REQUESTS_JITTER", 0)
# Load the application once in the arbiter: workers fork with Django set up.
preload_app = True
# systemd (or the shell) manages the process; a control socket per user would collide between instances.
control_socket_disable = True
# Requests are logged by the application (JSON, with their request id); gunicorn's own
# messages go to stderr in the same JSON shape.
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.ops.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}


def post_fork(server, worker) -> None:
    # Connections opened by the arbiter while loading the application must not be shared.
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()


def child_exit(server, worker) -> None:
    """Let the metrics of a worker that stopped stop counting as live (PROMETHEUS_MULTIPROC_DIR)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
