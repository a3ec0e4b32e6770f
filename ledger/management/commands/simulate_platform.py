from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ledger.selectors import ledger_baselines
from ledger.simulator import FAULT_KINDS, PlatformSimulator


class Command(BaseCommand):
    help = (
        "Serve simulated platform profiles over HTTP (the contract of ledger/platforms.py), with faults on request. "
        "Control API: POST /_control/faults, DELETE /_control/faults, GET /_control/stats, POST /_control/reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every answer")
        parser.add_argument(
            "--fault", choices=FAULT_KINDS, help="a fault to give a share of answers (with --fault-rate)"
        )
        parser.add_argument("--fault-rate", type=float, default=0.0, help="share of answers with --fault (0-1)")
        parser.add_argument("--timeout-seconds", type=float, default=30.0, help="how long a 'timeout' answer hangs")
        parser.add_argument("--retry-after", type=float, default=1.0, help="Retry-After of a 429 answer, in seconds")
        parser.add_argument("--token", default="", help="require 'Authorization: Bearer TOKEN'")
        parser.add_argument("--seed", type=int, default=0, help="seed of the random fault sequence")
        parser.add_argument("--verbose", action="store_true", help="log every request")
        parser.add_argument(
            "--from-ledger",
            action="store_true",
            help="continue each account's follower series from its latest snapshot in the ledger (as make run does)",
        )

    def handle(self, *args, **o) -> None:
        if not 0 <= o["fault_rate"] <= 1:
            raise CommandError("--fault-rate must be between 0 and 1")
        if o["fault_rate"] and not o["fault"]:
            raise CommandError("--fault-rate needs --fault")
        simulator = PlatformSimulator(
            host=o["host"],
            port=o["port"],
            verbose=o["verbose"],
            latency_ms=o["latency_ms"],
            timeout_seconds=o["timeout_seconds"],
            retry_after_seconds=o["retry_after"],
            token=o["token"],
            rate=o["fault_rate"],
            rate_fault=o["fault"] or "",
            seed=o["seed"],
            baselines=ledger_baselines() if o["from_ledger"] else {},
        )
        self.stdout.write(f"Platform simulator serving {simulator.url}/v1/<platform>/profiles/<uid> (Ctrl-C to stop)")
        try:
            simulator.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            simulator.stop()
