"""Settings of ``make bench-load``: the production settings plus the benchmark's baseline view (bench/load_urls.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load_urls"
