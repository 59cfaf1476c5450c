"""Settings for the benchmark server: the real settings, plus the baseline view's URL.

Served over plain HTTP on a loopback address, so the HTTPS redirect is off; nothing else
changes, so the endpoint is measured as it runs in production. In particular the database
settings (CONN_MAX_AGE, CONN_HEALTH_CHECKS, SQLite's options) stay the product's, so a change
there (e.g. persistent SQLite connections) is what bench/attach measures; only the opt-in
knobs below touch them.
"""

import os

from checkpoint_maker.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# Knobs to measure proposals (bench/attach --prepared, --no-health-checks); off by default.
if os.environ.get("BENCH_PREPARED") == "1" and DATABASES["default"]["ENGINE"].endswith(  # noqa: F405
    "postgresql"
):
    # Server-side binding: psycopg prepares a statement run 5 times on a connection, so
    # PostgreSQL stops planning the hot path's queries again on every request.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True  # noqa: F405
if os.environ.get("BENCH_NO_HEALTH_CHECKS") == "1":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405

# bench/statistics --time-zone: the site's zone for a run (a zone where it is late in the day
# puts a full day of rows in "today", the part of a report read from the attached rows).
if os.environ.get("BENCH_TIME_ZONE"):
    TIME_ZONE = os.environ["BENCH_TIME_ZONE"]

# bench/scale serves the pages from files collected into a temporary directory of its own.
if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
