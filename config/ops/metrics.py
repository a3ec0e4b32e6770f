"""Prometheus metrics at ``/metrics``: django-prometheus (requests, latency, database) and the apps' own.

- Requests, latency and database figures come from django-prometheus (its middleware
  and database engine, see settings). With several server processes set
  PROMETHEUS_MULTIPROC_DIR (``make serve`` does) so that a scrape sums them all.
- Gauges that are read from the database when scraped (refresh lag, journal size)
  are registered by the apps on ``scrape_registry`` from their ``AppConfig.ready()``.
- Celery task outcomes are counted by signal handlers in the worker processes
  (config/celery.py) and served by the worker itself on CELERY_METRICS_PORT.

Only addresses in METRICS_ALLOWED_IPS, or a client presenting METRICS_TOKEN as a
bearer token, may read the metrics; everyone else gets 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import REGISTRY, CollectorRegistry, Counter, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

# Collected at scrape time by the process that serves /metrics (database reads): never
# stored per process, so they need no multiprocess handling.
scrape_registry = CollectorRegistry(auto_describe=True)

celery_tasks_total = Counter(
    "ledger_celery_tasks_total",
    "Celery tasks finished, by task name and outcome (success, failure, retry, rejected, revoked).",
    ["task", "outcome"],
)


def process_registry() -> CollectorRegistry:
    """The counters and histograms of this process, or of every process sharing PROMETHEUS_MULTIPROC_DIR."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item, strict=False) for item in settings.METRICS_ALLOWED_IPS]


def metrics_allowed(request: HttpRequest) -> bool:
    """The client's address is allowed, or it presents the metrics token."""
    token = settings.METRICS_TOKEN
    if token:
        presented = request.headers.get("Authorization", "")
        if hmac.compare_digest(presented.encode(), f"Bearer {token}".encode()):
            return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _networks())


@transaction.non_atomic_requests
@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text exposition of every metric."""
    if not metrics_allowed(request):
        return HttpResponse(_("Metrics are not available to this client."), status=403, content_type="text/plain")
    body = generate_latest(process_registry())
    try:
        body += generate_latest(scrape_registry)
    except DatabaseError as exc:
        # The process figures are still worth having while the database is away.
        logger.warning("metrics read from the database are missing: %s", exc)
        body += b"# ledger gauges unavailable: database error\n"
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
