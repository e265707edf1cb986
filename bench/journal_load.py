"""Load test of the journal's busiest reads, against a production-like server.

1. Recreates the PostgreSQL database `footsteps_bench` (drop, create, migrate) and
   fills it with bench/generate.py (two settings, three years of journal each).
2. Starts gunicorn serving config.wsgi with DEBUG off, whitenoise static files,
   persistent database connections and immediate tasks, on a free loopback port.
3. Signs in through the real login form as a parent of two siblings and as a
   practitioner.
4. Drives each endpoint from separate client processes (keep-alive HTTP/1.1),
   closed loop: every client sends its next request when the last one answers.
5. Stops gunicorn, then counts and times the SQL queries of a few requests to each
   endpoint in-process (Django test client, same database, same session).

Everything runs on 127.0.0.1, is bounded in time and requests, and cleans up
after itself. See bench/README.md for what the figures mean.

Usage: .venv/bin/python bench/journal_load.py [--reuse-data] [--duration 10] ...
"""

import argparse
import http.client
import json
import math
import multiprocessing
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


def server_env(database_url: str) -> dict:
    """Production-like configuration: only the host and the transport differ
    (loopback HTTP, so no HTTPS redirect or secure-only cookies)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
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
    """A gunicorn master and its workers in their own process group; always stopped."""
    port = free_port()
    log_path = VAR_DIR / "gunicorn.log"
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
        "--worker-class=gthread",
        f"--threads={threads}",
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


def client(port: int, path: str, cookie: str, deadline: float, budget: int) -> dict:
    """One simulated user: one keep-alive connection, requests back to back until the
    deadline or the budget. Runs in its own process."""
    latencies, errors, statuses = [], 0, {}
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Host": HOST, "Cookie": cookie}
    started = time.perf_counter()
    while len(latencies) + errors < budget and time.monotonic() < deadline:
        sent = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=30)
            continue
        if response.status == 200:
            latencies.append(time.perf_counter() - sent)
        else:
            errors += 1
            statuses[response.status] = statuses.get(response.status, 0) + 1
    connection.close()
    return {
        "latencies": latencies,
        "errors": errors,
        "statuses": statuses,
        "elapsed": time.perf_counter() - started,
    }


def percentile(sorted_values: list, fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def drive(pool, port: int, endpoint: dict, args) -> dict:
    """Warm up, then measure one endpoint with `concurrency` clients."""

    def round_of(seconds, budget):
        deadline = time.monotonic() + seconds
        jobs = [(port, endpoint["path"], endpoint["cookie"], deadline, budget)] * args.concurrency
        return pool.starmap(client, jobs)

    round_of(args.warmup, 1_000_000)
    results = round_of(args.duration, max(1, args.max_requests // args.concurrency))
    latencies = sorted(lat for result in results for lat in result["latencies"])
    statuses: dict = {}
    for result in results:
        for status, n in result["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    return {
        "requests": len(latencies),
        "errors": sum(result["errors"] for result in results),
        "statuses": statuses,
        "rps": len(latencies) / max(result["elapsed"] for result in results),
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
    }


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
        "--reuse-data", action="store_true", help="keep the data of the last run; only migrate"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (processes)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--concurrency", type=int, default=4, help="simultaneous clients")
    parser.add_argument("--duration", type=float, default=10, help="seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=2, help="seconds per endpoint, unmeasured")
    parser.add_argument("--max-requests", type=int, default=5000, help="cap per endpoint")
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
    env = server_env(args.database_url)
    manifest = prepare(args, env)
    prepared = time.perf_counter() - started

    log(f"Starting gunicorn: {args.workers} workers x {args.threads} threads (gthread) ...")
    pool = multiprocessing.get_context("spawn").Pool(args.concurrency)
    try:
        with gunicorn(env, workers=args.workers, threads=args.threads) as port:
            parent = sign_in(port, manifest["parent_email"], manifest["password"])
            staff = sign_in(port, manifest["practitioner_email"], manifest["password"])
            child = manifest["child_id"]
            endpoints = [
                {"name": "parent feed", "path": "/journal/", "cookie": parent},
                {"name": "parent feed, page 10", "path": "/journal/?page=10", "cookie": parent},
                {"name": "child journal (staff)", "path": f"/children/{child}/", "cookie": staff},
                {"name": "API list (staff)", "path": "/api/v1/observations", "cookie": staff},
                {"name": "API list (parent)", "path": "/api/v1/observations", "cookie": parent},
            ]
            for endpoint in endpoints:
                status = fetch(port, endpoint["path"], cookie=endpoint["cookie"])[0]
                if status != 200:
                    raise RuntimeError(f"{endpoint['path']} answered {status} before the load")
            for endpoint in endpoints:
                log(f"Loading {endpoint['name']} ({endpoint['path']}) ...")
                endpoint["load"] = drive(pool, port, endpoint, args)
    finally:
        pool.terminate()
        pool.join()
    queries = count_queries(env, endpoints, samples=args.samples, explain=args.explain)

    log("")
    log(
        f"Machine: {os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}; "
        f"load average {load_before:.1f} before the run (other busy processes skew the figures)"
    )
    log(f"Data: {data_sizes()}")
    log(
        f"Server: gunicorn gthread, {args.workers} workers x {args.threads} threads, DEBUG off; "
        f"load: {args.concurrency} keep-alive clients, {args.duration:g} s per endpoint "
        f"after {args.warmup:g} s warm-up"
    )
    log("")
    header = (
        f"{'endpoint':<24}{'requests':>9}{'errors':>7}{'req/s':>8}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'queries':>9}{'SQL ms':>8}{'slowest':>9}"
        f"{'alone ms':>10}"
    )
    log(header)
    log("-" * len(header))
    for endpoint in endpoints:
        load, sql = endpoint["load"], queries[endpoint["name"]]
        log(
            f"{endpoint['name']:<24}{load['requests']:>9}{load['errors']:>7}{load['rps']:>8.1f}"
            f"{1000 * load['p50']:>8.1f}{1000 * load['p95']:>8.1f}{1000 * load['p99']:>8.1f}"
            f"{'/'.join(map(str, sql['queries'])):>9}{sql['sql_ms']:>8.1f}{sql['slowest_ms']:>9.1f}"
            f"{sql['request_ms']:>10.1f}"
        )
        if load["statuses"]:
            log(f"    non-200 answers under load: {load['statuses']}")
        if sql["status"] != 200:
            log(f"    answered {sql['status']} when its queries were counted")
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
