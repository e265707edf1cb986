"""Speed and query count of the cohort report (footsteps.assessments.selectors.
cohort_report) at 1,000 and 10,000 children in one setting.

1. For each size, a PostgreSQL database of its own (`footsteps_bench_cohort_1000`,
   `footsteps_bench_cohort_10000`: dropped, created and migrated, so the shipped
   frameworks are loaded), holding one setting with a manager, rooms (one per
   100 children), key persons (one per 10 children) and N children with varied
   birth dates (six school cohorts), sex (some not recorded), SEND, EAL, EYPP,
   two-year-old funding, room and key person (a few with neither).
2. Six assessment periods (autumn, spring and summer of two school years) on
   Development Matters, and one assessment for every child, aspect (17) and
   period: 102,000 rows at 1,000 children, 1,020,000 at 10,000. Band and
   judgement at random, on track three times in four, recorded by the manager.
   The assessments are one INSERT ... SELECT over the cross join (seeded
   random(), inserted period by period as a setting records them), with every
   index in place; then VACUUM ANALYZE. The build is timed on its own.
3. As the manager (an Actor of their membership), for the latest period: the
   report for the whole setting, by room, by season of birth compared with the
   same point a year before, and by age cohort. One unmeasured run, then
   `--runs` (5) measured runs of each: best and median seconds, and the SQL
   queries of a run (CaptureQueriesContext). Every figure the report holds
   (each group's cells, before and now, as percentages) is read in the timing.
4. Any query slower than SLOW_QUERY_MS (and, with --explain, each report's
   slowest query) is run again under EXPLAIN (ANALYZE, BUFFERS), and the top of
   its plan printed.

Targets: under 1 second at 10,000 children (the median of the runs), and the
same number of queries at 1,000 and 10,000 children. A missed target is printed
as FAIL; the exit code is 0 either way.

Usage: .venv/bin/python bench/cohort_report.py [--reuse-data] [--runs 5] [--explain] [--drop]
Needs PostgreSQL on 127.0.0.1:5432 that the user `postgres` reaches without a
password (or BENCH_COHORT_DATABASE_URL: the server and the names' prefix). See
bench/README.md for the figures of the last run.
"""

import argparse
import os
import platform
import random
import re
import secrets
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/footsteps_bench_cohort"
SEED = 20250901
SIZES = (1_000, 10_000)
SLUG = "cohort-bench"
TIME_TARGET_S = 1.0
SLOW_QUERY_MS = 100
PLAN_LINES = 30
PERIODS = [
    ("Autumn 2024", date(2024, 12, 6)),
    ("Spring 2025", date(2025, 3, 28)),
    ("Summer 2025", date(2025, 7, 11)),
    ("Autumn 2025", date(2025, 12, 5)),
    ("Spring 2026", date(2026, 3, 27)),
    ("Summer 2026", date(2026, 7, 10)),
]
# Six school cohorts: born September 2019 to August 2025.
BORN_FROM, BORN_TO = date(2019, 9, 1), date(2025, 8, 31)
FIRST_NAMES = "Amelia Noah Isla Oliver Ava Leo Ivy Arthur Freya George Lily Theo".split()  # noqa: SIM905
SURNAMES = "Smith Jones Taylor Brown Patel Wright Khan Begum Okafor Nowak Kaur".split()  # noqa: SIM905


def log(message: str = "") -> None:
    print(message, flush=True)


# --- Databases -----------------------------------------------------------------


def database_url(base_url: str, size: int) -> str:
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=f"{parts.path}_{size}"))


def admin(base_url: str, *statements: str) -> None:
    """Run statements on the server's `postgres` database (outside Django)."""
    import psycopg

    admin_url = urlunsplit(urlsplit(base_url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def use_database(url: str) -> None:
    """Point Django's default connection at another database of the same server."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = urlsplit(url).path.lstrip("/")


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or "bench" not in name:
        sys.exit(f"Refusing to use {name!r}: the benchmark database's name must contain 'bench'.")
    return name


def setup_django(url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        TASKS_BACKEND="immediate",
        EMAIL_DELIVERY="locmem",
        LOG_LEVEL="WARNING",
        REDIS_URL="",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Data ----------------------------------------------------------------------


def expected_rows(size: int) -> int:
    return size * 17 * len(PERIODS)


def existing_data(size: int) -> bool:
    """Whether the database already holds this size's data (for --reuse-data)."""
    from django.db import DatabaseError

    from footsteps.assessments.models import Assessment
    from footsteps.children.models import Child

    try:
        children = Child.objects.filter(setting__slug=SLUG).count()
        rows = Assessment.objects.filter(period__setting__slug=SLUG).count()
    except DatabaseError:
        return False
    return children == size and rows == expected_rows(size)


def build(size: int) -> dict:
    """The setting, its people and children through the ORM, then the assessments
    in one INSERT ... SELECT. Returns the seconds each step took."""
    from django.db import connection, transaction

    from footsteps.assessments.models import AssessmentPeriod, Band, Framework
    from footsteps.children.models import Child, Room
    from footsteps.people.models import Membership, Role, User
    from footsteps.tenancy.models import Setting

    rng = random.Random(SEED + size)
    took = {}
    begun = time.perf_counter()
    with transaction.atomic():
        setting = Setting.objects.create(name=f"Cohort bench ({size:,} children)", slug=SLUG)
        staff = User.objects.bulk_create(
            [
                User(email=f"staff{i:05d}@cohort.bench", full_name=f"Staff {i:05d}", password="!")
                for i in range(1 + size // 10)
            ]
        )
        members = Membership.objects.bulk_create(
            [
                Membership(
                    user=user,
                    setting=setting,
                    role=Role.MANAGER if i == 0 else Role.PRACTITIONER,
                    status=Membership.Status.ACTIVE,
                )
                for i, user in enumerate(staff)
            ]
        )
        manager, key_persons = members[0], members[1:]
        rooms = Room.objects.bulk_create(
            [Room(setting=setting, name=f"Room {i:03d}") for i in range(max(1, size // 100))]
        )
        days = (BORN_TO - BORN_FROM).days
        Child.objects.bulk_create(
            [
                Child(
                    setting=setting,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=f"{rng.choice(SURNAMES)} {i}",
                    date_of_birth=BORN_FROM + timedelta(days=rng.randrange(days + 1)),
                    room=rng.choice(rooms) if rng.random() > 0.02 else None,
                    key_person=rng.choice(key_persons) if rng.random() > 0.02 else None,
                    sex=rng.choices(["female", "male", ""], weights=[48, 48, 4])[0],
                    send=rng.random() < 0.12,
                    eal=rng.random() < 0.2,
                    eypp=rng.random() < 0.15,
                    funded_two=rng.random() < 0.1,
                )
                for i in range(size)
            ],
            batch_size=2000,
        )
        framework = Framework.objects.get(key="development-matters", setting=None)
        AssessmentPeriod.objects.bulk_create(
            [
                AssessmentPeriod(setting=setting, framework=framework, name=name, assessed_on=on)
                for name, on in PERIODS
            ]
        )
    took["people and children"] = time.perf_counter() - begun

    bands = list(Band.objects.filter(framework=framework).values_list("pk", flat=True))
    judgements = [j["key"] for j in framework.judgements]
    begun = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [0.42])
        cursor.execute(
            """
            INSERT INTO assessments_assessment
                (period_id, child_id, aspect_id, band_id, judgement, on_track,
                 recorded_by_id, updated_at)
            SELECT p.id, c.id, a.id,
                   (%s::bigint[])[1 + floor(random() * %s)::int],
                   (%s::text[])[1 + floor(random() * %s)::int],
                   random() < 0.75, %s, now()
            FROM assessments_assessmentperiod p
            CROSS JOIN children_child c
            CROSS JOIN assessments_aspect a
            WHERE p.setting_id = %s AND c.setting_id = %s AND a.framework_id = %s
            ORDER BY p.assessed_on, c.id, a.id
            """,
            [
                bands,
                len(bands),
                judgements,
                len(judgements),
                manager.pk,
                setting.pk,
                setting.pk,
                framework.pk,
            ],
        )
        inserted = cursor.rowcount
    took["assessments"] = time.perf_counter() - begun
    if inserted != expected_rows(size):
        raise RuntimeError(f"Inserted {inserted} assessments, expected {expected_rows(size)}")
    return took


def vacuum_analyze() -> float:
    from django.db import connection

    begun = time.perf_counter()
    with connection.cursor() as cursor:  # autocommit: VACUUM refuses a transaction
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - begun


def data_line() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('assessments_assessment')), "
            "pg_size_pretty(pg_database_size(current_database()))"
        )
        table, database = cursor.fetchone()
    return f"assessments table with its indexes {table}, database {database}"


# --- Measuring -------------------------------------------------------------------

REPORTS = [
    ("whole setting", {"by": None}),
    ("by room", {"by": "room"}),
    ("by season, compared", {"by": "season", "compare": True}),
    ("by age", {"by": "age"}),
]


def read_everything(report) -> int:
    """Touch every figure a page shows: each group's cells and the compared
    period's, as percentages, under each aspect and its area's name."""
    touched = 0
    for group in report.groups:
        touched += len(group.name) + group.children + group.small
        for aspect in report.aspects:
            for cell in (group.cells[aspect.pk], group.before[aspect.pk]):
                touched += cell.assessed + (cell.percent or 0) + len(aspect.area.name)
    return touched


def measure(actor, period, earlier, runs: int) -> dict:
    """Each report: one warm-up run, then `runs` timed runs with their queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from footsteps.assessments.selectors import cohort_report

    executed: list = []  # (seconds, sql, params) of each query of the run

    def timed(execute, sql, params, many, context):
        begun = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            executed.append((time.perf_counter() - begun, sql, params))

    found = {}
    for name, options in REPORTS:
        kwargs = {"period": period, "by": options["by"]}
        if options.get("compare"):
            kwargs["compare"] = earlier
        read_everything(cohort_report(actor, **kwargs))
        seconds, counts, queries = [], set(), []
        for _ in range(runs):
            executed.clear()
            with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
                begun = time.perf_counter()
                report = cohort_report(actor, **kwargs)
                read_everything(report)
                seconds.append(time.perf_counter() - begun)
            counts.add(len(captured.captured_queries))
            queries.append(list(executed))
        # Each query's median time over the runs (the same queries in the same order).
        per_query = [
            (statistics.median(run[i][0] for run in queries), *queries[0][i][1:])
            for i in range(min(len(run) for run in queries))
        ]
        found[name] = {
            "best": min(seconds),
            "median": statistics.median(seconds),
            "queries": sorted(counts),
            "per_query": per_query,
            "groups": len(report.groups),
        }
    return found


def explain(sql: str, params) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def plans(size: int, found: dict, *, every: bool) -> list[str]:
    """Plans of the slow queries (each distinct statement once), and with
    `every` of each report's slowest."""
    lines, seen = [], set()
    for name, figures in found.items():
        ranked = sorted(figures["per_query"], key=lambda query: -query[0])
        chosen = [query for query in ranked if query[0] * 1000 >= SLOW_QUERY_MS]
        if every and ranked and not chosen:
            chosen = ranked[:1]
        for seconds, sql, params in chosen:
            shape = re.sub(r"\s+", " ", sql)
            if shape in seen:
                continue
            seen.add(shape)
            lines.append(f"\n== {size:,} children, {name}: {seconds * 1000:.0f} ms (median)")
            lines.append(f"{sql}\n  params: {params}")
            plan = explain(sql, params)
            lines.extend(plan[:PLAN_LINES])
            if len(plan) > PLAN_LINES:
                lines.append(f"  ... ({len(plan) - PLAN_LINES} more lines)")
    return lines


def run_size(base_url: str, size: int, args) -> dict:
    from django.core.management import call_command

    from footsteps.access.actor import Actor
    from footsteps.assessments.models import AssessmentPeriod
    from footsteps.people.models import Membership, Role

    url = database_url(base_url, size)
    name = database_name(url)
    use_database(url)
    took: dict = {}
    if args.reuse_data and existing_data(size):
        log(f"{size:,} children: reusing {name} (migrating only) ...")
        call_command("migrate", verbosity=0, interactive=False)
    else:
        log(f"{size:,} children: recreating {name} ...")
        admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin(base_url, f'CREATE DATABASE "{name}"')
        use_database(url)
        begun = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        took["migrate"] = time.perf_counter() - begun
        log(f"  migrated in {took['migrate']:.1f} s; building ...")
        took.update(build(size))
        took["VACUUM ANALYZE"] = vacuum_analyze()
        log("  built: " + ", ".join(f"{step} {s:.1f} s" for step, s in took.items()))
    membership = Membership.objects.select_related("user", "setting").get(
        setting__slug=SLUG, role=Role.MANAGER
    )
    actor = Actor.of(membership)
    periods = list(AssessmentPeriod.objects.filter(setting__slug=SLUG).select_related("framework"))
    period, earlier = periods[-1], periods[-4]  # the latest, and the same point a year before
    log(f"  measuring {period.name} (compared with {earlier.name}), {args.runs} runs each ...")
    found = measure(actor, period, earlier, args.runs)
    return {
        "took": took,
        "found": found,
        "data": data_line(),
        "plans": plans(size, found, every=args.explain),
        "database": name,
    }


# --- Main --------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_COHORT_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="server and prefix of the databases (_1000, _10000 are added); must contain 'bench'",
    )
    parser.add_argument(
        "--reuse-data", action="store_true", help="keep a database that holds the data already"
    )
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each report")
    parser.add_argument(
        "--explain", action="store_true", help="print the plan of each report's slowest query"
    )
    parser.add_argument("--drop", action="store_true", help="drop the databases at the end")
    args = parser.parse_args()
    base_url = args.database_url.rstrip("/")
    if urlsplit(base_url).hostname not in ("127.0.0.1", "localhost"):
        sys.exit("The benchmark only runs against a database on this machine.")
    database_name(base_url)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    setup_django(database_url(base_url, SIZES[0]))

    results = {size: run_size(base_url, size, args) for size in SIZES}

    from django.db import connection

    connection.close()
    if args.drop:
        admin(
            base_url,
            *(f'DROP DATABASE IF EXISTS "{r["database"]}" WITH (FORCE)' for r in results.values()),
        )

    log("")
    log(
        f"Machine: {os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}; "
        f"load average {load_before:.1f} before the run"
    )
    for size, result in results.items():
        built = ", ".join(f"{step} {s:.1f} s" for step, s in result["took"].items())
        log(
            f"{size:,} children: {expected_rows(size):,} assessments, {result['data']}; "
            + (f"built in: {built}" if built else "data reused")
        )
    log(
        f"Runs: one unmeasured, then {args.runs} measured, in-process (no HTTP, no template); "
        f"a report for the latest of {len(PERIODS)} periods as the manager"
    )
    log("")
    header = (
        f"{'children':>9}  {'report':<22}{'groups':>7}{'best s':>9}{'median s':>10}"
        f"{'queries':>9}{'slowest q ms':>14}  {'< 1 s':<7}{'same queries':<12}"
    )
    log(header)
    log("-" * len(header))
    missed = []
    for size, result in results.items():
        for name, figures in result["found"].items():
            counts = {tuple(results[s]["found"][name]["queries"]) for s in SIZES}
            fast = figures["median"] < TIME_TARGET_S
            same = len(counts) == 1 and len(figures["queries"]) == 1
            slowest = max((q[0] for q in figures["per_query"]), default=0) * 1000
            if not fast:
                missed.append(f"{name} at {size:,} children: median {figures['median']:.3f} s")
            if not same and size == SIZES[-1]:
                missed.append(f"{name}: queries {' vs '.join(map(str, sorted(counts)))}")
            log(
                f"{size:>9,}  {name:<22}{figures['groups']:>7}{figures['best']:>9.3f}"
                f"{figures['median']:>10.3f}{'/'.join(map(str, figures['queries'])):>9}"
                f"{slowest:>14.1f}  {'PASS' if fast else 'FAIL':<7}{'PASS' if same else 'FAIL':<12}"
            )
    log(
        f"\nTargets: median under {TIME_TARGET_S:g} s at {SIZES[-1]:,} children (checked at "
        f"every size), and the same number of queries at {SIZES[0]:,} and {SIZES[-1]:,}. "
        + ("Missed: " + "; ".join(missed) + "." if missed else "All met.")
    )
    plan_lines = [line for result in results.values() for line in result["plans"]]
    if plan_lines:
        log(f"\nPlans of queries over {SLOW_QUERY_MS} ms (median), EXPLAIN (ANALYZE, BUFFERS):")
        for line in plan_lines:
            log(line)
    kept = "dropped" if args.drop else "kept (--reuse-data reuses them)"
    log(f"\nWhole benchmark {time.perf_counter() - started:.0f} s; databases {kept}.")


if __name__ == "__main__":
    main()
