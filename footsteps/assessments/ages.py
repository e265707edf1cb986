"""Ages and birth groups, the way early years settings count them."""

from datetime import date

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import ExtractYear


def age_in_months(born: date, on: date) -> int:
    """Completed months from `born` to `on`. A month is complete on the same
    day of the month; where that day does not exist (born on the 31st, or on
    29 February), on the first day of the next month, as English law counts a
    leap-day birthday (1 March in other years)."""
    months = (on.year - born.year) * 12 + on.month - born.month
    if on.day < born.day:
        months -= 1
    return max(months, 0)


def expected_band(bands, months: int):
    """The band a child of this age is expected to be in: the latest band whose
    starting age they have reached (bands overlap in Birth to 5 Matters)."""
    reached = [band for band in bands if band.from_months <= months]
    return max(reached, key=lambda band: (band.from_months, band.order)) if reached else None


SEASONS = {"autumn": "Autumn born", "spring": "Spring born", "summer": "Summer born"}


def season_of_birth(born: date) -> str:
    """Term of birth in the English school year: autumn (September to December),
    spring (January to April), summer (May to August). Summer-born children are
    the youngest in their year group."""
    if born.month >= 9:
        return "autumn"
    return "spring" if born.month <= 4 else "summer"


def season_expression(path: str = "child__date_of_birth"):
    """season_of_birth, computed by the database."""
    return Case(
        When(Q(**{f"{path}__month__gte": 9}), then=Value("autumn")),
        When(Q(**{f"{path}__month__lte": 4}), then=Value("spring")),
        default=Value("summer"),
    )


def school_year_of_birth(born: date) -> int:
    """The school cohort: children born from September of one year to August of
    the next start reception together. Named by the year the cohort's eldest
    were born in."""
    return born.year if born.month >= 9 else born.year - 1


def cohort_expression(path: str = "child__date_of_birth"):
    """school_year_of_birth, computed by the database."""
    return Case(
        When(Q(**{f"{path}__month__gte": 9}), then=ExtractYear(path)),
        default=ExtractYear(path) - 1,
        output_field=IntegerField(),
    )


def cohort_name(year: int) -> str:
    return f"Born Sep {year} to Aug {year + 1}"
