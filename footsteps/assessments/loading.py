"""Frameworks from files: the shipped TOML files, and a setting's own CSV.

Both are read into the same FrameworkData and stored by `store`, which updates
a framework in place by its keys (assessments keep pointing at the same
aspects) and refuses a file older than what is stored.
"""

import csv
import io
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from footsteps.assessments.models import Area, Aspect, Band, Framework, Statement

SHIPPED = Path(__file__).parent / "frameworks"


@dataclass
class FrameworkData:
    key: str
    name: str
    kind: str = Framework.Kind.DEVELOPMENT
    version: int = 1
    default: bool = False
    description: str = ""
    judgements: list[dict] = field(default_factory=list)
    bands: list[dict] = field(default_factory=list)
    # [{"key", "name", "plain_name", "prime", "aspects": [{"key", "name", "gld"}]}]
    areas: list[dict] = field(default_factory=list)
    # [{"area", "aspect", "band", "text"}] by keys
    statements: list[dict] = field(default_factory=list)


class OlderVersion(Exception):
    pass


def read_toml(path: Path) -> FrameworkData:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return FrameworkData(
        key=raw["key"],
        name=raw["name"],
        kind=raw.get("kind", Framework.Kind.DEVELOPMENT),
        version=raw.get("version", 1),
        default=raw.get("default", False),
        description=raw.get("description", ""),
        judgements=raw.get("judgements", []),
        bands=raw.get("bands", []),
        areas=raw.get("areas", []),
    )


def shipped() -> list[FrameworkData]:
    return [read_toml(path) for path in sorted(SHIPPED.glob("*.toml"))]


@transaction.atomic
def store(data: FrameworkData, *, setting=None, using: str = "default") -> Framework:
    """Create or update a framework from its data, matching areas, aspects and
    bands by key. Nothing is deleted: an aspect a newer file drops keeps the
    judgements already made against it."""
    objects = Framework.objects.using(using)
    framework = objects.filter(setting=setting, key=data.key).first()
    if framework is not None and framework.version > data.version:
        raise OlderVersion(
            f"{data.key} version {data.version} is older than the stored {framework.version}"
        )
    values = {
        "name": data.name,
        "kind": data.kind,
        "version": data.version,
        "default": data.default,
        "description": data.description,
        "judgements": data.judgements,
    }
    framework, _ = objects.update_or_create(setting=setting, key=data.key, defaults=values)
    bands = {}
    for order, band in enumerate(data.bands):
        bands[band["key"]], _ = Band.objects.using(using).update_or_create(
            framework=framework,
            key=band["key"],
            defaults={
                "name": band["name"],
                "order": order,
                "from_months": band.get("from_months", 0),
                "to_months": band.get("to_months"),
            },
        )
    aspects = {}
    for area_order, area_data in enumerate(data.areas):
        area, _ = Area.objects.using(using).update_or_create(
            framework=framework,
            key=area_data["key"],
            defaults={
                "name": area_data["name"],
                "plain_name": area_data.get("plain_name", ""),
                "is_prime": area_data.get("prime", False),
                "order": area_order,
            },
        )
        for order, aspect in enumerate(area_data.get("aspects", [])):
            aspects[(area.key, aspect["key"])], _ = Aspect.objects.using(using).update_or_create(
                framework=framework,
                key=aspect["key"],
                defaults={
                    "area": area,
                    "name": aspect["name"],
                    "order": order,
                    "counts_for_gld": aspect.get("gld", False),
                },
            )
    if data.statements:
        Statement.objects.using(using).filter(aspect__framework=framework).delete()
        Statement.objects.using(using).bulk_create(
            Statement(
                aspect=aspects[(s["area"], s["aspect"])],
                band=bands.get(s["band"]),
                text=s["text"],
                order=order,
            )
            for order, s in enumerate(data.statements)
        )
    return framework


def load_shipped(*, using: str = "default") -> list[Framework]:
    """Store every shipped framework whose file is newer than what is stored
    (one query when nothing changed)."""
    files = shipped()
    stored = dict(
        Framework.objects.using(using)
        .filter(setting=None, key__in=[data.key for data in files])
        .values_list("key", "version")
    )
    return [
        store(data, using=using)
        for data in files
        if data.key not in stored or stored[data.key] < data.version
    ]


# --- A setting's own framework, from CSV -------------------------------------

CSV_COLUMNS = ["type", "name", "area", "aspect", "band", "from_months", "to_months", "plain_words"]
CSV_TYPES = ("framework", "judgement", "band", "area", "prime area", "aspect", "statement")
MAX_CSV_ROWS = 5000


class CsvErrors(ValueError):
    """Every problem found in the file, each with its line number."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__("; ".join(f"line {line}: {message}" for line, message in errors))
        self.errors = errors


def _months(value: str, line: int, errors: list, column: str) -> int | None:
    if not value.strip():
        return None
    try:
        months = int(value)
    except ValueError:
        errors.append((line, f"{column} must be a whole number of months, not “{value}”."))
        return None
    if not 0 <= months <= 240:
        errors.append((line, f"{column} must be between 0 and 240 months."))
        return None
    return months


def parse_csv(raw: bytes) -> FrameworkData:
    """Read a setting's own framework. Every error in the file is collected
    (with its line number) before CsvErrors is raised, so one upload shows
    them all. The format (one thing per row, in any order after the header):

        type,name,area,aspect,band,from_months,to_months,plain_words
        framework,Our curriculum,,,,,,
        judgement,Beginning,,,,,,
        band,Toddlers,,,,0,30,
        prime area,Talking,,,,,,Talking and listening
        aspect,Listening,Talking,,,,,
        statement,Turns to a familiar voice,Talking,Listening,Toddlers,,,
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvErrors([(1, "The file is not text saved as UTF-8 CSV.")]) from None
    reader = csv.reader(io.StringIO(text))
    errors: list[tuple[int, str]] = []
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header[: len(CSV_COLUMNS)]] != CSV_COLUMNS:
        raise CsvErrors([(1, f"The first line must be the header: {','.join(CSV_COLUMNS)}")])
    name = ""
    judgements: list[dict] = []
    bands: dict[str, dict] = {}
    areas: dict[str, dict] = {}
    aspect_rows: list[tuple[int, list[str]]] = []
    statement_rows: list[tuple[int, list[str]]] = []
    for index, row in enumerate(reader, start=2):
        if index > MAX_CSV_ROWS + 1:
            errors.append((index, f"The file has more than {MAX_CSV_ROWS} rows."))
            break
        if not any(cell.strip() for cell in row):
            continue
        row = [cell.strip() for cell in row] + [""] * (len(CSV_COLUMNS) - len(row))
        kind, label = row[0].lower(), row[1]
        if kind not in CSV_TYPES:
            errors.append((index, f"Unknown type “{row[0]}”: use one of {', '.join(CSV_TYPES)}."))
            continue
        if not label or not slugify(label):
            errors.append((index, f"A {kind} needs a name."))
            continue
        if len(label) > (1000 if kind == "statement" else 200):
            errors.append((index, f"The name of this {kind} is too long."))
            continue
        key = slugify(label)[:80]
        if kind == "framework":
            if name:
                errors.append((index, "The framework is named twice."))
            name = label
        elif kind == "judgement":
            if any(j["key"] == key for j in judgements):
                errors.append((index, f"The judgement “{label}” is listed twice."))
            judgements.append({"key": key, "name": label})
        elif kind == "band":
            start = _months(row[5], index, errors, "from_months")
            end = _months(row[6], index, errors, "to_months")
            if key in bands:
                errors.append((index, f"The band “{label}” is listed twice."))
            elif start is not None and end is not None and end <= start:
                errors.append((index, "to_months must be after from_months."))
            bands[key] = {"key": key, "name": label, "from_months": start or 0, "to_months": end}
        elif kind in ("area", "prime area"):
            if key in areas:
                errors.append((index, f"The area “{label}” is listed twice."))
            areas[key] = {
                "key": key,
                "name": label,
                "plain_name": row[7][:200],
                "prime": kind == "prime area",
                "aspects": [],
            }
        elif kind == "aspect":
            aspect_rows.append((index, row))
        else:
            statement_rows.append((index, row))
    aspect_keys: dict[tuple[str, str], str] = {}
    for index, row in aspect_rows:
        area_key, key = slugify(row[2]), slugify(row[1])[:80]
        if area_key not in areas:
            errors.append(
                (index, f"The aspect “{row[1]}” names an area not in the file: “{row[2]}”.")
            )
        elif key in {k for _a, k in aspect_keys}:
            errors.append((index, f"The aspect “{row[1]}” is listed twice."))
        else:
            areas[area_key]["aspects"].append({"key": key, "name": row[1]})
            aspect_keys[(area_key, key)] = key
    statements = []
    for index, row in statement_rows:
        where = (slugify(row[2]), slugify(row[3])[:80])
        if where not in aspect_keys:
            errors.append((index, f"The statement names an aspect not in the file: “{row[3]}”."))
        elif row[4] and slugify(row[4]) not in bands:
            errors.append((index, f"The statement names a band not in the file: “{row[4]}”."))
        else:
            statements.append(
                {"area": where[0], "aspect": where[1], "band": slugify(row[4]), "text": row[1]}
            )
    if not name:
        errors.append((1, "Name the framework on a row of type “framework”."))
    if not aspect_keys:
        errors.append((1, "The file has no aspects: add rows of type “aspect”."))
    for area in areas.values():
        if not area["aspects"]:
            errors.append((1, f"The area “{area['name']}” has no aspects."))
    if errors:
        raise CsvErrors(sorted(errors))
    return FrameworkData(
        key=slugify(name)[:80],
        name=name,
        judgements=judgements,
        bands=list(bands.values()),
        areas=list(areas.values()),
        statements=statements,
    )
