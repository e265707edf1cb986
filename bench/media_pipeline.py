"""Photo and video processing speed and memory: footsteps.media.processing
against bare libvips doing the same decodes, resizes and encodes.

1. Makes, in a temporary folder, N 12-megapixel JPEGs (4000x3000: colour fields,
   gradients and grain, so they compress like phone photos, 4 to 5 MB each) and
   one 48-megapixel JPEG (8000x6000), each with the EXIF a phone writes
   (footsteps.media.tests.files.phone_exif: GPS, serial, owner; orientation 1).
2. Runs, alternately for a few rounds, our pipeline (`processing.process_photo`:
   content sniffing, EXIF check, megapixel limit, original re-encoded as JPEG Q90,
   display WebP 1600 px, thumbnail WebP 400 px, every metadata field removed) and
   bare pyvips producing the same three files with the same settings and none of
   the checks. Photos per second are from each pipeline's best round; the ratio
   is ours over bare's (target >= 0.8).
3. Processes the 48 MP photo alone in a fresh Python process and reads its peak
   resident memory, next to the same process's peak just after its imports
   (target < 200 MB for ours). Also shown, for information: bare pyvips, bare
   pyvips with libjpeg's optimize_coding (what the pipeline first did), and
   our pipeline on the same photo with orientation 6 (a quarter turn needs
   random access). The peak is the kernel's VmHWM (/proc/self/status), not
   `ru_maxrss`: Linux carries a parent's high-water mark into a child through
   fork (or vfork) and exec, so a child of this process would report at least
   this process's own peak.
4. Transcodes a 30-second 1080p30 video with sound (16 Mb/s, as phones record)
   with `processing.process_video`, and reports the seconds taken.

libvips' operation cache is turned off in this process so that a photo processed
in an earlier round is not served from it (an upload is processed only once).

Usage: .venv/bin/python bench/media_pipeline.py [--photos 8] [--rounds 5] [--no-video]
See bench/README.md for the figures of the last run.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess  # noqa: S404 (ffmpeg and this Python, with argument lists)
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyvips  # noqa: E402

from footsteps.media import processing  # noqa: E402
from footsteps.media.tests import files  # noqa: E402

RATIO_TARGET = 0.8
MEMORY_TARGET_MB = 200


def log(message: str = "") -> None:
    print(message, flush=True)


# --- Test material ---------------------------------------------------------------


def make_photo(path: Path, width: int, height: int, seed: int, orientation: int = 1) -> Path:
    """A JPEG (Q92) with smooth colour fields, gradients and grain, and a phone's EXIF."""
    channels = [
        pyvips.Image.gaussnoise(width // 50, height // 50, sigma=40, mean=128, seed=seed + i)
        for i in range(3)
    ]
    fields = channels[0].bandjoin(channels[1:]).resize(50, kernel="cubic")
    x = pyvips.Image.xyz(width, height)
    gradient = (x[0] * (255 / width)).bandjoin(
        [x[1] * (255 / height), (x[0] + x[1]) * (255 / (width + height))]
    )
    grain = pyvips.Image.gaussnoise(width, height, sigma=6, mean=0, seed=seed + 3)
    picture = (fields * 0.6 + gradient * 0.4 + grain).cast("uchar")
    data = picture.copy(interpretation="srgb").jpegsave_buffer(Q=92, strip=True)
    return write_with_exif(path, data, orientation)


def write_with_exif(path: Path, jpeg: bytes, orientation: int) -> Path:
    exif = files.phone_exif(orientation).tobytes()  # b"Exif\0\0" + TIFF
    segment = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
    path.write_bytes(jpeg[:2] + segment + jpeg[2:])
    return path


def make_video(path: Path, seconds: int = 30) -> Path:
    """1080p30 H.264 at 16 Mb/s with a little grain, and AAC sound."""
    command = [shutil.which("ffmpeg") or "ffmpeg", "-v", "error", "-y"]
    command += ["-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={seconds}"]
    command += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    command += ["-vf", "noise=alls=4:allf=t", "-pix_fmt", "yuv420p"]
    command += ["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "16M", "-maxrate", "20M"]
    command += ["-bufsize", "32M", "-c:a", "aac", "-shortest", str(path)]
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603
    return path


# --- The two pipelines --------------------------------------------------------------


def ours(path: Path, out: Path) -> None:
    processing.process_photo(path, out, processing.Limits())


def bare(path: Path, out: Path, optimize_coding: bool = False) -> None:
    """What processing.process_photo makes, with the same libvips calls and
    settings, without sniffing, the EXIF check, the limit, colour-space checks
    or metadata removal."""
    full = pyvips.Image.new_from_file(str(path), access="sequential").autorot()
    full.jpegsave(str(out / "original.jpg"), strip=True, Q=90, optimize_coding=optimize_coding)
    size = processing.DISPLAY_SIZE
    shown = pyvips.Image.thumbnail(str(path), size, height=size, size="down").copy_memory()
    shown.webpsave(str(out / "display.webp"), strip=True, Q=82, effort=2)
    shown.jpegsave(str(out / "print.jpg"), strip=True, Q=processing.PRINT_QUALITY)
    small = shown.thumbnail_image(processing.THUMBNAIL_SIZE, height=processing.THUMBNAIL_SIZE)
    small.webpsave(str(out / "thumbnail.webp"), strip=True, Q=82, effort=2)


def bare_optimized(path: Path, out: Path) -> None:
    """bare(), with libjpeg's Huffman tables optimised: a second pass that
    keeps every coefficient of the whole picture (for information)."""
    bare(path, out, optimize_coding=True)


PIPELINES = {"ours": ours, "bare": bare, "bare, optimize_coding": bare_optimized}


def run_all(pipeline, photos: list[Path], work: Path) -> float:
    """Seconds to process every photo, each into an empty folder."""
    folders = []
    for index in range(len(photos)):
        folder = work / f"out-{index}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        folders.append(folder)
    started = time.perf_counter()
    for photo, folder in zip(photos, folders, strict=True):
        pipeline(photo, folder)
    return time.perf_counter() - started


MEMORY_PROBE = """
import json, sys, time
from pathlib import Path
def peak_mb():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[1] + "/bench")
import media_pipeline
baseline = peak_mb()
started = time.perf_counter()
media_pipeline.PIPELINES[sys.argv[2]](Path(sys.argv[3]), Path(sys.argv[4]))
took = time.perf_counter() - started
print(json.dumps({"baseline": baseline, "peak": peak_mb(), "seconds": took}))
"""


def memory_of(pipeline: str, photo: Path, work: Path) -> dict:
    """Peak RSS (MB) of a fresh process processing one photo."""
    out = work / f"memory-{len(list(work.glob('memory-*')))}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", MEMORY_PROBE, str(ROOT), pipeline, str(photo), str(out)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- Report -------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=8, help="12 MP photos (default 8)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--no-video", action="store_true", help="skip the video figure")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    pyvips.cache_set_max(0)
    work = Path(tempfile.mkdtemp(prefix="footsteps-media-bench-"))
    try:
        return run(args, work)
    finally:
        if args.keep:
            log(f"Files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def run(args, work: Path) -> int:
    log(
        f"libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}, "
        f"{os.cpu_count()} CPUs, "
        f"VIPS_CONCURRENCY={os.environ.get('VIPS_CONCURRENCY', '(default)')}, "
        f"Python {platform.python_version()}"
    )
    log(f"Making {args.photos} photos of 12 MP and one of 48 MP in {work} ...")
    photos = [
        make_photo(work / f"photo-{i}.jpg", 4000, 3000, seed=10 * i) for i in range(args.photos)
    ]
    large = make_photo(work / "large.jpg", 8000, 6000, seed=999)
    # The same pixels, turned a quarter by its EXIF.
    large_turned = write_with_exif(work / "large-turned.jpg", strip_app1(large.read_bytes()), 6)
    mean_mb = sum(p.stat().st_size for p in photos) / len(photos) / 1e6
    log(f"  12 MP: {mean_mb:.1f} MB each on average; 48 MP: {large.stat().st_size / 1e6:.1f} MB")

    # Warm-up: load libvips' modules and the disk cache once for each pipeline.
    for pipeline in PIPELINES.values():
        run_all(pipeline, photos[:1], work)

    timings = {name: [] for name in PIPELINES}
    large_timings = {name: [] for name in PIPELINES}
    for round_number in range(args.rounds):
        names = list(PIPELINES)
        order = names[round_number % len(names) :] + names[: round_number % len(names)]
        for name in order:
            timings[name].append(run_all(PIPELINES[name], photos, work))
            large_timings[name].append(run_all(PIPELINES[name], [large], work))
        log(
            f"  round {round_number + 1}: "
            + ", ".join(f"{name} {timings[name][-1]:.2f} s" for name in PIPELINES)
        )

    best = {name: min(values) for name, values in timings.items()}
    rate = {name: len(photos) / best[name] for name in PIPELINES}
    ratio = rate["ours"] / rate["bare"]
    large_best = {name: min(values) for name, values in large_timings.items()}

    log("Memory: the 48 MP photo alone, each in a fresh process ...")
    memory = {
        "ours": memory_of("ours", large, work),
        "bare": memory_of("bare", large, work),
        "bare, optimize_coding": memory_of("bare, optimize_coding", large, work),
        "ours, orientation 6": memory_of("ours", large_turned, work),
    }

    log()
    log(
        f"| pipeline | 12 MP photos/s (best of {args.rounds}) | ms a 12 MP photo | 48 MP photo ms |"
    )
    log("|---|---|---|---|")
    for name in PIPELINES:
        log(
            f"| {name} | {rate[name]:.2f} | {1000 * best[name] / len(photos):.0f} "
            f"| {1000 * large_best[name]:.0f} |"
        )
    log()
    log("| 48 MP photo in a fresh process | RSS after imports MB | peak RSS MB | added MB | s |")
    log("|---|---|---|---|---|")
    for name, figures in memory.items():
        log(
            f"| {name} | {figures['baseline']:.0f} | {figures['peak']:.0f} "
            f"| {figures['peak'] - figures['baseline']:.0f} | {figures['seconds']:.2f} |"
        )

    video_seconds = None
    if not args.no_video:
        log()
        log("Making a 30-second 1080p30 video ...")
        source = make_video(work / "video.mp4")
        out = work / "video-out"
        out.mkdir()
        started = time.perf_counter()
        result = processing.process_video(source, out, processing.Limits())
        video_seconds = time.perf_counter() - started
        converted = result.files["video"][0].stat().st_size
        log(
            f"| video | source | result | seconds | x real time |\n|---|---|---|---|---|\n"
            f"| 30 s 1080p30 H.264 + AAC | {source.stat().st_size / 1e6:.0f} MB "
            f"| {result.width}x{result.height}, {converted / 1e6:.1f} MB "
            f"| {video_seconds:.1f} | {30 / video_seconds:.1f} |"
        )

    log()
    ratio_ok = ratio >= RATIO_TARGET
    memory_ok = memory["ours"]["peak"] < MEMORY_TARGET_MB
    log(f"Throughput ratio ours/bare: {ratio:.2f} (target >= {RATIO_TARGET}): {verdict(ratio_ok)}")
    log(
        f"Peak memory, 48 MP photo: {memory['ours']['peak']:.0f} MB "
        f"(target < {MEMORY_TARGET_MB} MB): {verdict(memory_ok)}"
    )
    return 0 if ratio_ok and memory_ok else 1


def strip_app1(jpeg: bytes) -> bytes:
    """The JPEG without its first APP1 (EXIF) segment."""
    if jpeg[2:4] == b"\xff\xe1":
        length = int.from_bytes(jpeg[4:6], "big")
        return jpeg[:2] + jpeg[4 + length :]
    return jpeg


if __name__ == "__main__":
    sys.exit(main())
