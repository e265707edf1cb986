"""Settings for the benchmark server (bench/journal_load.py): production settings
plus one page, the yardstick every endpoint is measured against."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "config.bench_urls"
