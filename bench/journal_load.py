"""Load test of the journal's busiest reads, against a production-like server,
each measured against a one-query Django page served by the same server.

1. Recreates the PostgreSQL database `footsteps_bench` (drop, create, migrate) and
   fills it with bench/generate.py (two settings, three years of journal each).
2. Starts gunicorn serving config.wsgi (config.bench_settings: production settings
   plus the yardstick page) with DEBUG off, whitenoise static files, persistent
   database connections and immediate tasks, on a free loopback port.
3. Signs in through the real login form as a parent of two siblings, a
   practitioner and a senior.
4. Loads each endpoint with wrk (a separate process, 16 connections by default),
   alternating with the yardstick page ("fortunes": 12 rows, one query, one small
   template), and reports each endpoint's throughput as a ratio to the
   yardstick's measured just before and just after it.
5. Stops gunicorn, then counts and times the SQL queries of a few requests to each
   endpoint in-process (Django test client, same database, same session).

Everything runs on 127.0.0.1, is bounded in time and requests, and cleans up
after itself. See bench/README.md for what the figures mean.

Usage: .venv/bin/python bench/journal_load.py [--reuse-data] [--duration 10] ...
"""

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VAR_DIR = ROOT / "var" / "bench"
BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/footsteps_bench"
# A Redis database of its own: emptied before each run.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
HOST = "127.0.0.1"


def log(message: str) -> None:
    print(message, flush=True)


# --- Database ----------------------------------------------------------------


def recreate_database(database_url: str) -> None:
    """Drop and create the benchmark database, through the server's `postgres` database."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or "bench" not in name:
        sys.exit(f"Refusing to drop {name!r}: the benchmark database's name must contain 'bench'.")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def empty_redis(redis_url: str) -> None:
    """Start from an empty cache: a recreated database starts its journal
    versions again, so pages kept by the last run must not be met."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def server_env(database_url: str, redis_url: str) -> dict:
    """Production-like configuration (README, "Running in production"): only the
    host and the transport differ (loopback HTTP, so no HTTPS redirect or
    secure-only cookies)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.bench_settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        RELEASE=f"bench-{secrets.token_hex(4)}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        TASKS_BACKEND="immediate",
        EMAIL_DELIVERY="locmem",
        FOOTSTEPS_VAR_DIR=str(VAR_DIR),
        FOOTSTEPS_HTTPS="false",
        LOG_LEVEL="WARNING",
    )
    return env


def run(command: list, env: dict) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def prepare(args, env: dict) -> dict:
    """The database (new unless --reuse-data), static files, and the manifest of
    who to sign in as."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    manifest = VAR_DIR / "manifest.json"
    manage = [str(BIN / "python"), "manage.py"]
    if not args.reuse_data or not manifest.exists():
        log(f"Recreating {urlsplit(args.database_url).path.lstrip('/')} ...")
        recreate_database(args.database_url)
        run([*manage, "migrate", "--no-input", "-v0"], env)
        run([str(BIN / "python"), str(BENCH / "generate.py"), "--manifest", str(manifest)], env)
    else:
        log("Reusing the data already in the database (migrating only).")
        run([*manage, "migrate", "--no-input", "-v0"], env)
    run([*manage, "collectstatic", "--no-input", "-v0"], env)
    return json.loads(manifest.read_text())


# --- The server ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def fetch(port: int, path: str, *, cookie: str = "", method="GET", body=None, headers=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        all_headers = {"Host": HOST, "Cookie": cookie, **(headers or {})}
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


@contextmanager
def gunicorn(env: dict, *, workers: int, threads: int):
    """A gunicorn master and its workers in their own process group; always stopped.
    One thread a worker means sync workers, as the README recommends."""
    port = free_port()
    log_path = VAR_DIR / "gunicorn.log"
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
        *(["--worker-class=gthread", f"--threads={threads}"] if threads > 1 else []),
        "--keep-alive=5",
        "--timeout=60",
        "--log-level=warning",
    ]
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log_path.read_text()[-3000:]}")
            try:
                if fetch(port, "/health/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /health/ within 30 s")
            time.sleep(0.2)
        yield port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _cookies(headers) -> dict:
    jar = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(port: int, email: str, password: str) -> str:
    """Post the real login form (CSRF token and all); returns the Cookie header."""
    status, headers, body = fetch(port, "/accounts/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None:
        raise RuntimeError(f"Login page answered {status} without a CSRF token")
    csrf = _cookies(headers)["csrftoken"]
    form = urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "login": email, "password": password}
    )
    status, headers, _ = fetch(
        port,
        "/accounts/login/",
        method="POST",
        body=form,
        cookie=f"csrftoken={csrf}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    session = _cookies(headers).get("sessionid")
    if status != 302 or not session:
        raise RuntimeError(f"Signing in as {email} failed (HTTP {status})")
    return f"sessionid={session}; csrftoken={csrf}"


# --- The load ------------------------------------------------------------------

YARDSTICK = {"name": "one-query page", "path": "/bench/fortunes/", "cookie": ""}
# Throughput as a share of the yardstick's, at least (issue 15); p95 under 50 ms.
TARGETS = {
    "parent feed": 0.4,
    "API list (parent)": 0.4,
    "child journal (staff)": 0.25,
    "review queue": 0.25,
    "API list (staff)": 0.25,
}
P95_LIMIT_MS = 50


def wrk(port: int, endpoint: dict, seconds: float, args) -> dict:
    """One wrk run (its own process: C, epoll, no Python in the client)."""
    command = [
        "wrk",
        f"-t{args.wrk_threads}",
        f"-c{args.connections}",
        f"-d{seconds:g}s",
        "--timeout=10s",
        "-s",
        str(BENCH / "wrk_report.lua"),
        *(["-H", f"Cookie: {endpoint['cookie']}"] if endpoint["cookie"] else []),
        f"http://{HOST}:{port}{endpoint['path']}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def drive(port: int, endpoint: dict, args) -> dict:
    """Warm up, then measure one endpoint between two runs of the yardstick."""
    wrk(port, endpoint, args.warmup, args)
    before = wrk(port, YARDSTICK, args.duration, args)
    measured = wrk(port, endpoint, args.duration, args)
    after = wrk(port, YARDSTICK, args.duration, args)
    yardstick = (before["rps"] + after["rps"]) / 2
    return {**measured, "yardstick": yardstick, "ratio": measured["rps"] / yardstick}


# --- Queries, in-process -----------------------------------------------------------


def count_queries(env: dict, endpoints: list, *, samples: int, explain: bool) -> dict:
    """Queries of one request to each endpoint, through Django's test client on the
    same database and session: how many, their total time and the slowest one
    (medians of `samples` requests), and the slowest one's plan if asked."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    executed: list = []  # (duration, sql, params) of each query of the request

    def timed(execute, sql, params, many, context):
        begun = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            executed.append((time.perf_counter() - begun, sql, params))

    found = {}
    for endpoint in endpoints:
        browser = Client(HTTP_HOST=HOST)
        for name, value in SimpleCookie(endpoint["cookie"]).items():
            browser.cookies[name] = value.value
        browser.get(endpoint["path"])  # warm: same state as the load test
        runs = []
        for _ in range(samples):
            executed.clear()
            begun = time.perf_counter()
            with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
                response = browser.get(endpoint["path"])
            runs.append(
                {
                    "request": time.perf_counter() - begun,
                    "queries": len(captured.captured_queries),
                    "total": sum(duration for duration, _, _ in executed),
                    "slowest": max(executed, key=lambda query: query[0]),
                }
            )
        runs.sort(key=lambda run: run["total"])
        median = runs[len(runs) // 2]
        _, sql, params = median["slowest"]
        plan = ""
        if explain and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
        found[endpoint["name"]] = {
            "status": response.status_code,
            "queries": sorted({run["queries"] for run in runs}),
            "request_ms": 1000 * sorted(run["request"] for run in runs)[len(runs) // 2],
            "sql_ms": 1000 * median["total"],
            "slowest_ms": 1000 * sorted(run["slowest"][0] for run in runs)[len(runs) // 2],
            "slowest_sql": f"{sql}\n  params: {params}",
            "plan": plan,
        }
    return found


def data_sizes() -> str:
    """One line about the data (Django is set up by count_queries by then)."""
    sys.path.insert(0, str(BENCH))
    from generate import counts

    sizes = counts()
    return (
        f"{sizes['settings']} settings, {sizes['children']} children, "
        f"{sum(sizes['memberships'].values())} memberships, "
        f"{sizes['observations']} observations, {sizes['observation-child links']} child links, "
        f"{sum(sizes['comments'].values())} comments, database {sizes.get('database size', '?')}"
    )


# --- Main ------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL database to (re)create; its name must contain 'bench'",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        help="Redis database for the cache and sessions; emptied first",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="keep no journal page in the cache (PAGE_CACHE_SECONDS=0): every request "
        "costs what the first after a change to the setting's journal does",
    )
    parser.add_argument(
        "--reuse-data", action="store_true", help="keep the data of the last run; only migrate"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (processes)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (1: sync workers)"
    )
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--duration", type=float, default=10, help="seconds per run")
    parser.add_argument("--warmup", type=float, default=2, help="seconds per endpoint, unmeasured")
    parser.add_argument(
        "--samples", type=int, default=7, help="requests whose SQL is timed, per endpoint"
    )
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of each slowest query"
    )
    args = parser.parse_args()
    if urlsplit(args.database_url).hostname not in (HOST, "localhost"):
        sys.exit("The benchmark only runs against a database on this machine.")
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    if urlsplit(args.redis_url).hostname not in (HOST, "localhost"):
        sys.exit("The benchmark only runs against a Redis on this machine.")
    empty_redis(args.redis_url)
    env = server_env(args.database_url, args.redis_url)
    if args.cold:
        env["PAGE_CACHE_SECONDS"] = "0"
    manifest = prepare(args, env)
    prepared = time.perf_counter() - started

    kind = "sync" if args.threads == 1 else f"gthread x {args.threads} threads"
    log(f"Starting gunicorn: {args.workers} workers ({kind}) ...")
    with gunicorn(env, workers=args.workers, threads=args.threads) as port:
        parent = sign_in(port, manifest["parent_email"], manifest["password"])
        staff = sign_in(port, manifest["practitioner_email"], manifest["password"])
        senior = sign_in(port, manifest["senior_email"], manifest["password"])
        child = manifest["child_id"]
        endpoints = [
            {"name": "parent feed", "path": "/journal/", "cookie": parent},
            {"name": "API list (parent)", "path": "/api/v1/observations", "cookie": parent},
            {"name": "child journal (staff)", "path": f"/children/{child}/", "cookie": staff},
            {"name": "review queue", "path": "/review/", "cookie": senior},
            {"name": "API list (staff)", "path": "/api/v1/observations", "cookie": staff},
        ]
        for endpoint in [YARDSTICK, *endpoints]:
            status = fetch(port, endpoint["path"], cookie=endpoint["cookie"])[0]
            if status != 200:
                raise RuntimeError(f"{endpoint['path']} answered {status} before the load")
        for endpoint in endpoints:
            log(f"Loading {endpoint['name']} ({endpoint['path']}) ...")
            endpoint["load"] = drive(port, endpoint, args)
    queries = count_queries(env, endpoints, samples=args.samples, explain=args.explain)

    log("")
    log(
        f"Machine: {os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}; "
        f"load average {load_before:.1f} before the run (other busy processes skew the figures)"
    )
    log(f"Data: {data_sizes()}")
    log(
        f"Server: gunicorn {kind}, {args.workers} workers, DEBUG off; load: wrk, "
        f"{args.connections} connections, {args.duration:g} s per run after {args.warmup:g} s "
        "warm-up, each endpoint between two runs of the one-query page; journal pages "
        + ("never kept (--cold)" if args.cold else "kept in Redis")
    )
    log("")
    header = (
        f"{'endpoint':<24}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'1-query':>9}{'ratio':>7}{'target':>8}{'queries':>9}{'SQL ms':>8}{'alone ms':>10}"
    )
    log(header)
    log("-" * len(header))
    missed = []
    for endpoint in endpoints:
        load, sql = endpoint["load"], queries[endpoint["name"]]
        target = TARGETS[endpoint["name"]]
        ok = load["ratio"] >= target and load["p95"] < P95_LIMIT_MS and not load["errors"]
        if not ok:
            missed.append(endpoint["name"])
        log(
            f"{endpoint['name']:<24}{load['rps']:>8.0f}{load['p50']:>8.1f}{load['p95']:>8.1f}"
            f"{load['p99']:>8.1f}{load['yardstick']:>9.0f}{load['ratio']:>7.2f}"
            f"{'>=' + format(target, 'g'):>8}{'/'.join(map(str, sql['queries'])):>9}"
            f"{sql['sql_ms']:>8.1f}{sql['request_ms']:>10.1f}{'' if ok else '  MISSED'}"
        )
        if load["errors"]:
            log(f"    errors under load: {load['errors']} ({load['non2xx']} not 2xx)")
        if sql["status"] != 200:
            log(f"    answered {sql['status']} when its queries were counted")
    log(
        f"\nTargets: a ratio at or above the target and p95 under {P95_LIMIT_MS} ms. "
        + (f"Missed: {', '.join(missed)}." if missed else "All met.")
    )
    if args.explain:
        for endpoint in endpoints:
            sql = queries[endpoint["name"]]
            log(f"\n== {endpoint['name']}: slowest query ({sql['slowest_ms']:.1f} ms)")
            log(sql["slowest_sql"])
            log(sql["plan"])
    total = time.perf_counter() - started
    log(f"\nPreparation {prepared:.0f} s; whole benchmark {total:.0f} s.")


if __name__ == "__main__":
    main()
