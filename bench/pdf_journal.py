"""The PDF learning journal (footsteps.exports.pdf.journal_pdf) against the bare
rendering engine laying out the same prepared document.

1. In a temporary folder, a throwaway SQLite database (migrated) and media
   storage: one setting, its manager, one child whose family consents to
   photos, and 300 published observations over three years (a paragraph of
   notes each, a third tagged with an aspect, a quarter with a reply), each
   with two photos: 600 distinct pictures of 1600x1200 kept as the media
   pipeline keeps them (libvips, no metadata: a WebP Q82 display copy for
   screens and a JPEG print copy for PDFs; each a crop of a large picture of
   colour fields and gradients, tinted and grained, so each is different and
   weighs what a phone photo does at that size, about 200 kB), stored through
   Django's storage API as Media rows ready to show. People and the child go
   through the real services; the journal is bulk-inserted.
2. Once, unmeasured: journal_pdf with the engine swapped for a copy of the
   folder it prepared (the HTML and the 600 JPEGs beside it): the pre-built
   document.
3. Alternately for `--rounds` rounds, each in a fresh Python process that
   has already imported Django and WeasyPrint (as a worker that has exported
   before):
   - ours: journal_pdf of the whole journal, family audience, with replies,
     as the manager: reads, policy, print copies from storage, HTML, layout;
   - bare: WeasyPrint alone (HTML(filename).write_pdf with the same
     stylesheet) on the pre-built document.
   Seconds are each side's best round, and ours is split into preparing (up
   to the engine's call) and the engine. Peak memory is the kernel's VmHWM of
   the process (/proc/self/status, as bench/media_pipeline.py: not ru_maxrss,
   which a child inherits from its parent), next to its peak after imports.

Targets: ours under 10 s, at most 1.3x bare, under 500 MB. A missed target is
printed as FAIL; the exit code is 0 either way.

Usage: .venv/bin/python bench/pdf_journal.py [--entries 300] [--rounds 3]
       [--without-print-copies] [--keep]
`--without-print-copies` keeps the WebP display copies only, as photos
processed before print copies existed are: the export converts each to JPEG
(for information). See bench/README.md for the figures of the last run.
"""

import argparse
import json
import os
import platform
import random
import secrets
import shutil
import statistics
import subprocess  # noqa: S404 (this Python, with argument lists)
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261130
WIDTH, HEIGHT = 1600, 1200
PHOTOS_PER_ENTRY = 2
TIME_TARGET_S = 10.0
RATIO_TARGET = 1.3
MEMORY_TARGET_MB = 500
WORDS = (  # noqa: SIM905 (reads better as text)
    "built a tall tower with the wooden blocks and counted each one carefully before "
    "it fell then laughed and started again asking a friend to help balance the top "
    "talked about colours and shapes chose the biggest pieces for the bottom"
).split()


def log(message: str = "") -> None:
    print(message, flush=True)


def peak_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def configure(work: Path) -> None:
    """Django on the folder's own database and storage, tasks in-process."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        MEDIA_ROOT=str(work / "media"),
        FOOTSTEPS_VAR_DIR=str(work / "var"),
        DEBUG="false",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        TASKS_BACKEND="immediate",
        EMAIL_DELIVERY="locmem",
        LOG_LEVEL="WARNING",
        REDIS_URL="",
        S3_BUCKET="",
    )
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.getLogger("django.tasks").setLevel(logging.WARNING)


# --- Data ------------------------------------------------------------------------


def picture_maker(seed: int):
    """A function making the n-th distinct photo-like picture (libvips image)."""
    import pyvips

    big_w, big_h = WIDTH * 2, HEIGHT * 2
    fields = [
        pyvips.Image.gaussnoise(big_w // 30, big_h // 30, sigma=45, mean=128, seed=seed + i)
        for i in range(3)
    ]
    base = fields[0].bandjoin(fields[1:]).resize(30, kernel="cubic")
    x = pyvips.Image.xyz(big_w, big_h)
    gradient = (x[0] * (255 / big_w)).bandjoin(
        [x[1] * (255 / big_h), (x[0] + x[1]) * (255 / (big_w + big_h))]
    )
    base = (base * 0.65 + gradient * 0.35).copy_memory()
    grain = pyvips.Image.gaussnoise(WIDTH + 64, HEIGHT + 64, sigma=5, seed=seed + 9)
    grain = grain.copy_memory()

    def make(n: int):
        rng = random.Random(seed * 1000 + n)
        left, top = rng.randrange(big_w - WIDTH), rng.randrange(big_h - HEIGHT)
        tint = [rng.uniform(0.6, 1.0) for _ in range(3)]
        noise = grain.crop(rng.randrange(64), rng.randrange(64), WIDTH, HEIGHT)
        picture = base.crop(left, top, WIDTH, HEIGHT) * tint + noise
        return picture.cast("uchar").copy(interpretation="srgb")

    return make


def store_photo(make, n: int, printed: bool, setting_id: int) -> tuple[str, str, int]:
    """Make the n-th photo and keep it as the pipeline does: a WebP display
    copy and, unless `printed` is off (photos processed before print copies
    existed), the same size as a JPEG print copy. (display, print, bytes)."""
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from footsteps.media import processing

    picture = make(n)
    folder = f"media/{setting_id}/{uuid.uuid4()}"
    data = processing.webp_without_metadata(picture.webpsave_buffer(strip=True, Q=82, effort=2))
    display = default_storage.save(f"{folder}/display.webp", ContentFile(data))
    if not printed:
        return display, "", len(data)
    jpeg = processing.without_metadata(picture).jpegsave_buffer(
        strip=True, Q=processing.PRINT_QUALITY
    )
    return display, default_storage.save(f"{folder}/print.jpg", ContentFile(jpeg)), len(data)


def build(entries: int, printed: bool) -> dict:
    from django.core.management import call_command
    from django.utils import timezone

    from footsteps.assessments.models import Aspect, ObservationAspect
    from footsteps.children import services as children_services
    from footsteps.core import seeding
    from footsteps.journal.models import Comment, Observation, ObservationChild
    from footsteps.media.models import Media, MediaChild
    from footsteps.tenancy import services as tenancy

    call_command("migrate", verbosity=0)
    setting, manager = tenancy.setting_create(
        name="Little Acorns Nursery",
        slug="pdf-bench",
        manager_email="manager@pdf.bench",
        manager_name="Maya Patel",
    )
    manager = seeding.activate(manager, "footsteps-bench-password")
    boss = seeding.actor_of(manager)
    today = timezone.localdate()
    child = children_services.child_create(
        actor=boss,
        first_name="Amelia",
        last_name="Smith",
        date_of_birth=today - timedelta(days=4 * 365),
    )
    children_services.child_set_image_consent(actor=boss, child=child, consent="granted")

    rng = random.Random(SEED)
    aspects = list(Aspect.objects.filter(framework__setting=None)[:17])
    start = timezone.now() - timedelta(days=3 * 365)
    step = timedelta(days=3 * 365) / entries
    observations = Observation.objects.bulk_create(
        Observation(
            setting=setting,
            author=manager,
            title=f"Moment {n + 1}: {' '.join(rng.sample(WORDS, 3))}",
            notes=" ".join(rng.choices(WORDS, k=60)).capitalize() + ".",
            observed_at=start + step * n,
            status=Observation.Status.PUBLISHED,
            published_at=start + step * n,
            shared_with_parents=True,
        )
        for n in range(entries)
    )
    ObservationChild.objects.bulk_create(
        ObservationChild(observation=o, child=child) for o in observations
    )
    ObservationAspect.objects.bulk_create(
        ObservationAspect(observation=o, aspect=rng.choice(aspects)) for o in observations[::3]
    )
    Comment.objects.bulk_create(
        Comment(observation=o, child=child, author=manager, body="Thank you, lovely to see!")
        for o in observations[::4]
    )

    copies = "display + print copies" if printed else "display copies only"
    log(f"  making {entries * PHOTOS_PER_ENTRY} photos of {WIDTH}x{HEIGHT} ({copies})...")
    make = picture_maker(SEED)
    with ThreadPoolExecutor(2) as pool:
        stored = list(
            pool.map(
                lambda n: store_photo(make, n, printed, setting.pk),
                range(entries * PHOTOS_PER_ENTRY),
            )
        )
    media = Media.objects.bulk_create(
        Media(
            setting=setting,
            observation=observations[n // PHOTOS_PER_ENTRY],
            uploaded_by=manager,
            name=f"IMG_{n:04}.jpg",
            kind=Media.Kind.PHOTO,
            status=Media.Status.READY,
            size=size,
            received=size,
            width=WIDTH,
            height=HEIGHT,
            display=display,
            thumbnail=display,
            print_copy=print_copy,
            position=n % PHOTOS_PER_ENTRY,
        )
        for n, (display, print_copy, size) in enumerate(stored)
    )
    MediaChild.objects.bulk_create(MediaChild(media=item, child=child) for item in media)
    return {
        "manager": manager.pk,
        "child": child.pk,
        "photo_mb": sum(size for *_, size in stored) / 1e6,
    }


# --- The two sides, each in a fresh process --------------------------------------------


def probe(side: str, work: Path) -> None:
    """Run one side once and print its figures as JSON (in a fresh process)."""
    configure(work)
    import weasyprint

    from footsteps.children.models import Child
    from footsteps.core.seeding import actor_of
    from footsteps.exports import pdf
    from footsteps.people.models import Membership

    keys = json.loads((work / "keys.json").read_text())
    prebuilt = work / "prebuilt"
    out = work / f"{side}.pdf"
    result = {}
    if side == "bare":
        baseline = peak_mb()
        started = time.perf_counter()
        stylesheet = weasyprint.CSS(filename=str(pdf.HERE / "journal.css"))
        weasyprint.HTML(filename=str(prebuilt / "journal.html"), encoding="utf-8").write_pdf(
            out, stylesheets=[stylesheet]
        )
        result["seconds"] = time.perf_counter() - started
    else:
        actor = actor_of(
            Membership.objects.select_related("user", "setting").get(pk=keys["manager"])
        )
        child = Child.objects.select_related("setting").get(pk=keys["child"])
        engine = pdf.render
        if side == "capture":

            def keep(folder, source, out):
                shutil.rmtree(prebuilt, ignore_errors=True)
                shutil.copytree(folder, prebuilt)

            pdf.render = keep
        else:

            def timed(folder, source, out):
                result["engine_started"] = time.perf_counter()
                engine(folder, source, out)

            pdf.render = timed
        baseline = peak_mb()
        started = time.perf_counter()
        result["entries"] = pdf.journal_pdf(actor=actor, child=child, out=out, replies=True)
        result["seconds"] = time.perf_counter() - started
        if "engine_started" in result:
            result["preparing"] = result.pop("engine_started") - started
    result |= {"baseline": baseline, "peak": peak_mb()}
    if out.exists():
        result["mb"] = out.stat().st_size / 1e6
        from pypdf import PdfReader  # a development dependency, like the bench

        result["pages"] = len(PdfReader(out).pages)
    print(json.dumps(result))


def run_side(side: str, work: Path) -> dict:
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--probe", side, "--work", str(work)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    if done.returncode:
        sys.exit(f"{side} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=300, help="observations (default 300)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument("--without-print-copies", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--probe", choices=("capture", "ours", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe(args.probe, args.work)
        return 0

    work = Path(tempfile.mkdtemp(prefix="footsteps-pdf-bench-"))
    os.environ["BENCH_SECRET_KEY"] = secrets.token_urlsafe(50)
    try:
        return run(args, work)
    finally:
        if args.keep:
            log(f"Files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def run(args, work: Path) -> int:
    import pyvips

    libvips = ".".join(str(pyvips.version(n)) for n in range(3))
    log(f"{os.cpu_count()} CPUs, libvips {libvips}, Python {platform.python_version()}")
    log(f"Building {args.entries} entries in {work} ...")
    started = time.perf_counter()
    configure(work)
    keys = build(args.entries, not args.without_print_copies)
    (work / "keys.json").write_text(json.dumps(keys))
    log(f"  built in {time.perf_counter() - started:.0f} s ({keys['photo_mb']:.0f} MB of photos)")
    capture = run_side("capture", work)
    log(f"Pre-built document: {capture['entries']} entries, in {capture['seconds']:.1f} s")

    runs: dict[str, list[dict]] = {"ours": [], "bare": []}
    for round_ in range(1, args.rounds + 1):
        for side in runs:
            runs[side].append(run_side(side, work))
        log(
            f"  round {round_}: ours {runs['ours'][-1]['seconds']:.2f} s, "
            f"bare {runs['bare'][-1]['seconds']:.2f} s"
        )

    best = {side: min(r["seconds"] for r in found) for side, found in runs.items()}
    median = {side: statistics.median(r["seconds"] for r in found) for side, found in runs.items()}
    peak = {side: max(r["peak"] for r in found) for side, found in runs.items()}
    baseline = {side: max(r["baseline"] for r in found) for side, found in runs.items()}
    fastest = min(runs["ours"], key=lambda r: r["seconds"])
    ratio = best["ours"] / best["bare"]
    last = runs["ours"][-1]
    log()
    copies = "without" if args.without_print_copies else "with"
    log(
        f"{args.entries} entries, {args.entries * PHOTOS_PER_ENTRY} photos "
        f"({copies} print copies); PDF {last.get('pages') or '?'} pages, "
        f"{last['mb']:.0f} MB"
    )
    log()
    log("| side | best s | median s | peak MB (after imports) |")
    log("|---|---|---|---|")
    for side in runs:
        log(
            f"| {side} | {best[side]:.2f} | {median[side]:.2f} | "
            f"{peak[side]:.0f} ({baseline[side]:.0f}) |"
        )
    log()
    log(
        f"Ours, fastest round: preparing {fastest['preparing']:.2f} s (reads, copies, "
        f"conversions, HTML), engine {fastest['seconds'] - fastest['preparing']:.2f} s."
    )
    fast = verdict(best["ours"] < TIME_TARGET_S)
    log(f"- Time {best['ours']:.2f} s: {fast} (< {TIME_TARGET_S} s)")
    log(f"- Ratio ours/bare {ratio:.2f}: {verdict(ratio <= RATIO_TARGET)} (<= {RATIO_TARGET})")
    log(
        f"- Peak memory {peak['ours']:.0f} MB: "
        f"{verdict(peak['ours'] < MEMORY_TARGET_MB)} (< {MEMORY_TARGET_MB} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
