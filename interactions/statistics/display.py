"""How the statistics pages (and the history's reached line) write figures in words: periods,
durations, percentages."""

import datetime

from interactions.statistics import figures


def day_text(day: datetime.date, *, year: bool = True, month: bool = True) -> str:
    """``1 Nov 2026``, ``1 Nov`` or ``1``."""
    text = str(day.day)
    if month:
        text += f" {day:%b}"
    if year:
        text += f" {day.year}"
    return text


DASH = "\N{EN DASH}"


def period_text(first: datetime.date, last: datetime.date) -> str:
    """Both days included, shortest form, with an en dash: ``10 Nov 2026``, ``1-30 Nov
    2026``, ``28 Oct - 3 Nov 2026``, ``28 Dec 2025 - 3 Jan 2026``."""
    if first == last:
        return day_text(first)
    if first.year != last.year:
        return f"{day_text(first)} {DASH} {day_text(last)}"
    if first.month != last.month:
        return f"{day_text(first, year=False)} {DASH} {day_text(last)}"
    return f"{day_text(first, year=False, month=False)}{DASH}{day_text(last)}"


DURATION_UNITS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))


def duration_text(seconds: float | None) -> str:
    """``1 min 5 s``, ``2 h``, ``4.5 s``; an em dash for no value."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{round(seconds, 1):g} s"
    left = int(seconds + 0.5)  # half up: 122.5 s is 2 min 3 s
    parts = []
    for unit, size in DURATION_UNITS:
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count} {unit}")
    return " ".join(parts)


def percent_text(rate: float | None) -> str:
    """``33.3%``; an em dash for no rate."""
    return "—" if rate is None else figures.percent(rate)


def points_text(difference: float | None) -> str:
    """A difference of rates in percentage points, signed: ``+4.2 pts``."""
    return "—" if difference is None else f"{difference * 100:+.1f} pts"


def reached_text(
    reached: list[str],
    not_reached: str | None,
    first: datetime.date | None,
    last: datetime.date | None,
    names: dict[str, str],
) -> str:
    """The history's reached filter in words: ``Reached Welcome → Identified, then not
    Resolved, 1-30 Nov 2026`` (names, else references)."""
    parts = []
    if reached:
        parts.append("Reached " + " \N{RIGHTWARDS ARROW} ".join(names.get(r) or r for r in reached))
    if not_reached:
        name = names.get(not_reached) or not_reached
        parts.append(f"then not {name}" if reached else f"Not reached {name}")
    if first and last:
        parts.append(period_text(first, last))
    elif first:
        parts.append(f"from {day_text(first)}")
    elif last:
        parts.append(f"up to {day_text(last)}")
    return ", ".join(parts)
