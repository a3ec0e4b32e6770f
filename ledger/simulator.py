"""A platform simulator: serves the profile contract of ledger/platforms.py over loopback HTTP.

Real platform APIs are out of reach, so the demo, the tests and the benchmark
refresh against this. Profiles are deterministic (a function of platform and
user id, growing slowly by date), or continue an account's own series when the
simulator was given its last known count (``baselines``; ``make run`` passes the
ledger's, so a refresh of a demo account follows on from its history). Faults are set when it starts, by rate, or
per account id at run time through a small control API:

- ``GET  /v1/{platform}/profiles/{uid}``: the profile, or the fault chosen for it;
- ``POST /_control/faults``: ``{"uid": "...", "fault": KIND, "times": N}`` (N answers,
  default for ever) or ``{"rate": 0.1, "fault": KIND}`` (a share of all answers);
- ``DELETE /_control/faults``: clear faults; ``GET /_control/stats``: request counts
  and the most requests seen in any one-second window, per platform;
  ``POST /_control/reset``: clear faults and statistics.

Fault kinds: ``latency`` (adds ``latency_ms``), ``timeout`` (answers only after
``timeout_seconds``), ``429`` (with ``Retry-After``), ``500``, ``502``, ``503``,
``malformed`` (invalid JSON), ``bad_data`` (JSON with a negative count), ``404``
(deleted), ``403`` (banned), ``410`` (suspended). Account ids that start with
``deleted-``, ``banned-`` or ``suspended-`` always answer 404, 403 or 410.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import random
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULT_KINDS = ("latency", "timeout", "429", "500", "502", "503", "malformed", "bad_data", "404", "403", "410")
_PROFILE_PATH = re.compile(r"^/v1/(?P<platform>[a-z_]+)/profiles/(?P<uid>[^/]+)$")
_EPOCH = date(2025, 1, 1)


def deterministic_profile(platform: str, uid: str, today: date | None = None) -> dict[str, Any]:
    """The same answer for the same account and day: 1,000 to 5,000,000 followers, growing 0.05 % a day."""
    digest = hashlib.sha256(f"{platform}:{uid}".encode()).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2**64
    base = 1000 * (5000**fraction)
    days = max(0, ((today or datetime.now(UTC).date()) - _EPOCH).days)
    return {
        "uid": uid,
        "follower_count": round(base * (1.0005**days)),
        "status": "active",
        "display_name": f"{platform} user {uid}",
    }


def continued_profile(uid: str, count: int, counted_on: date, today: date | None = None) -> dict[str, Any]:
    """An account that had ``count`` followers on ``counted_on``, growing 0.05 % a day since."""
    days = max(0, ((today or datetime.now(UTC).date()) - counted_on).days)
    return {"uid": uid, "follower_count": round(count * (1.0005**days)), "status": "active", "display_name": uid}


@dataclass
class SimulatorState:
    latency_ms: float = 0.0
    timeout_seconds: float = 30.0
    retry_after_seconds: float = 1.0
    token: str = ""
    rate: float = 0.0
    rate_fault: str = ""
    seed: int = 0
    faults: dict[str, list[Any]] = field(default_factory=dict)  # uid -> [kind, remaining or None]
    # (platform, uid) -> (follower count, day it was counted): series to continue
    baselines: dict[tuple[str, str], tuple[int, date]] = field(default_factory=dict)
    arrivals: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self.rng.seed(self.seed)

    def record(self, platform: str) -> None:
        with self.lock:
            bisect.insort(self.arrivals[platform], time.monotonic())

    def fault_for(self, uid: str) -> str | None:
        for prefix, kind in (("deleted-", "404"), ("banned-", "403"), ("suspended-", "410")):
            if uid.startswith(prefix):
                return kind
        with self.lock:
            if uid in self.faults:
                kind, remaining = self.faults[uid]
                if remaining is not None:
                    if remaining <= 1:
                        del self.faults[uid]
                    else:
                        self.faults[uid][1] = remaining - 1
                return kind
            if self.rate_fault and self.rng.random() < self.rate:
                return self.rate_fault
        return None

    def stats(self) -> dict[str, Any]:
        with self.lock:
            by_platform = {}
            for platform, times in self.arrivals.items():
                most, start = 0, 0
                for end, t in enumerate(times):
                    while t - times[start] >= 1.0:
                        start += 1
                    most = max(most, end - start + 1)
                by_platform[platform] = {"count": len(times), "max_per_second": most}
            return {"requests": sum(len(t) for t in self.arrivals.values()), "by_platform": by_platform}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # An answer (headers and body) goes out in one write when the request is done (a buffered
    # wfile, flushed by handle_one_request); TCP_NODELAY so that Nagle's algorithm and the
    # client's delayed ACK can never hold it back (about 40 ms).
    wbufsize = -1
    disable_nagle_algorithm = True

    def parse_request(self) -> bool:
        self.arrived = time.monotonic()  # the request line is in: --latency-ms counts from here
        return super().parse_request()

    def _wait_latency(self, latency_ms: float) -> None:
        """Answer ``latency_ms`` after the request arrived: the simulator's own work is part of it."""
        remaining = self.arrived + latency_ms / 1000 - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    def log_message(self, format: str, *args: Any) -> None:  # quiet by default
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status: int, body: bytes | dict | None = None, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if isinstance(body, dict) else (body or b"")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}") if length else {}

    def do_GET(self) -> None:
        state = self.server.state
        if self.path == "/_control/stats":
            return self._send(200, state.stats())
        match = _PROFILE_PATH.match(self.path.split("?", 1)[0])
        if not match:
            return self._send(404, {"error": "not found"})
        if state.token and self.headers.get("Authorization") != f"Bearer {state.token}":
            return self._send(401, {"error": "bad token"})
        platform, uid = match["platform"], match["uid"]
        state.record(platform)
        if state.latency_ms:
            self._wait_latency(state.latency_ms)
        fault = state.fault_for(uid)
        if fault == "latency":
            time.sleep(state.latency_ms / 1000 or 0.2)
            fault = None
        if fault == "timeout":
            time.sleep(state.timeout_seconds)
            fault = None
        if fault in {"404", "403", "410"}:
            return self._send(int(fault), {"error": HTTPStatus(int(fault)).phrase})
        if fault == "429":
            return self._send(429, {"error": "slow down"}, {"Retry-After": f"{state.retry_after_seconds:g}"})
        if fault in {"500", "502", "503"}:
            return self._send(int(fault), {"error": "upstream trouble"})
        if fault == "malformed":
            return self._send(200, b'{"uid": "' + uid.encode() + b'", "follower_count": 12')
        baseline = state.baselines.get((platform, uid))
        profile = continued_profile(uid, *baseline) if baseline else deterministic_profile(platform, uid)
        if fault == "bad_data":
            profile["follower_count"] = -1
        return self._send(200, profile)

    def do_POST(self) -> None:
        state = self.server.state
        if self.path == "/_control/reset":
            with state.lock:
                state.faults.clear()
                state.arrivals.clear()
                state.rate, state.rate_fault = 0.0, ""
            return self._send(200, {"ok": True})
        if self.path != "/_control/faults":
            return self._send(404, {"error": "not found"})
        body = self._body()
        kind = str(body.get("fault", ""))
        if kind not in FAULT_KINDS:
            return self._send(400, {"error": f"fault must be one of {', '.join(FAULT_KINDS)}"})
        with state.lock:
            if "uid" in body:
                state.faults[str(body["uid"])] = [kind, body.get("times")]
            else:
                state.rate, state.rate_fault = float(body.get("rate", 1.0)), kind
            for key in ("latency_ms", "timeout_seconds", "retry_after_seconds"):
                if key in body:
                    setattr(state, key, float(body[key]))
        return self._send(200, {"ok": True})

    def do_DELETE(self) -> None:
        if self.path != "/_control/faults":
            return self._send(404, {"error": "not found"})
        with self.server.state.lock:
            self.server.state.faults.clear()
            self.server.state.rate, self.server.state.rate_fault = 0.0, ""
        return self._send(200, {"ok": True})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], state: SimulatorState, verbose: bool):
        super().__init__(address, _Handler)
        self.state = state
        self.verbose = verbose


class PlatformSimulator:
    """The simulator as an object: ``serve_forever()`` for the command, ``start()``/``stop()`` for tests."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, verbose: bool = False, **state: Any):
        self.state = SimulatorState(**state)
        self._server = _Server((host, port), self.state, verbose)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.2)

    def start(self) -> PlatformSimulator:
        self._thread = threading.Thread(target=self.serve_forever, name="platform-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
