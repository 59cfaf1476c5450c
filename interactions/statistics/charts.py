"""Server-rendered SVG charts as data: every coordinate, tick and path is computed here and the
templates under templates/statistics/charts/ only draw them (no script, no inline style: the
colours are the classes of static/maker/statistics.css, ``series-0`` to ``series-7``).

Each chart carries its title, a text alternative summarising the data (``desc``) and a legend;
the pages show the same numbers in a table beside it.
"""

import datetime
import math
from dataclasses import dataclass, field

WIDTH = 720
LINE_HEIGHT = 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 24, 16, 44
BAR_ROW = 44  # a horizontal bar's row: its label above, the bar below
BAR_THICKNESS = 16
BAR_LABEL_WIDTH = 96  # room on the right for the value
MAX_X_LABELS = 8
MAX_LABEL_CHARS = 90
SERIES_CLASSES = 8


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    width: int
    height: int

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.id}-desc"


@dataclass(frozen=True)
class Line:
    label: str
    css_class: str
    points: str  # "x,y x,y ..." for <polyline>
    markers: list[tuple[float, float]]


@dataclass
class LineChart(Chart):
    left: float = MARGIN_LEFT
    right: float = 0
    top: float = MARGIN_TOP
    bottom: float = 0
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    @property
    def y_label_x(self) -> float:
        return self.left - 6

    @property
    def x_label_y(self) -> float:
        return self.bottom + 20

    @property
    def tick_end(self) -> float:
        return self.bottom + 5


@dataclass(frozen=True)
class Bar:
    label: str
    value_label: str
    label_y: float
    y: float
    width: float
    css_class: str = "series-0"
    whisker: tuple[float, float] | None = None  # x of the interval's ends

    @property
    def middle(self) -> float:
        return self.y + BAR_THICKNESS / 2

    @property
    def end(self) -> float:
        return self.y + BAR_THICKNESS

    @property
    def value_x(self) -> float:
        end = max(self.width, self.whisker[1] - MARGIN_LEFT if self.whisker else 0)
        return MARGIN_LEFT + end + 6


@dataclass
class BarChart(Chart):
    left: float = MARGIN_LEFT
    right: float = 0
    bottom: float = 0
    x_ticks: list[Tick] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, label)
    thickness: int = BAR_THICKNESS

    @property
    def x_label_y(self) -> float:
        return self.bottom + 18


def nice_ticks(maximum: float, *, count: int = 5) -> list[float]:
    """Round tick values from 0 up to at least ``maximum`` (steps of 1, 2 or 5 times 10^n)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    ticks, value = [0.0], 0.0
    while value < maximum - 1e-12:
        value = round(value + step, 10)
        ticks.append(value)
    return ticks


def number_label(value: float) -> str:
    return f"{value:g}" if value < 1e6 else f"{value:.3g}"


def shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bucket_label(start: datetime.datetime, interval: str) -> str:
    return f"{start:%d %b %H:%M}" if interval == "hour" else f"{start:%d %b}"


def trend_chart(chart_id: str, title: str, trends: list[tuple[str, list]], interval: str):
    """A line per ``(label, buckets)`` (selectors.Bucket, the same buckets for each), with
    x ticks on at most 8 bucket starts and round y ticks."""
    height = LINE_HEIGHT
    chart = LineChart(chart_id, title, "", WIDTH, height)
    chart.right, chart.bottom = WIDTH - MARGIN_RIGHT, height - MARGIN_BOTTOM
    starts = [bucket.start for bucket in trends[0][1]] if trends else []
    peak = max((b.interactions for _, buckets in trends for b in buckets), default=0)
    ticks = nice_ticks(peak)
    top_value = ticks[-1]
    span = chart.right - chart.left

    def x(index: int) -> float:
        if len(starts) == 1:
            return round(chart.left + span / 2, 1)
        return round(chart.left + span * index / (len(starts) - 1), 1)

    def y(value: float) -> float:
        return round(chart.bottom - (chart.bottom - chart.top) * value / top_value, 1)

    chart.y_ticks = [Tick(y(value), number_label(value)) for value in ticks]
    every = max(1, math.ceil(len(starts) / MAX_X_LABELS))
    chart.x_ticks = [
        Tick(x(index), bucket_label(start, interval))
        for index, start in enumerate(starts)
        if index % every == 0
    ]
    for number, (label, buckets) in enumerate(trends):
        markers = [(x(i), y(b.interactions)) for i, b in enumerate(buckets)]
        chart.lines.append(
            Line(
                label,
                f"series-{number % SERIES_CLASSES}",
                " ".join(f"{px},{py}" for px, py in markers),
                markers if len(markers) <= 62 else [],
            )
        )
    unit = "hour" if interval == "hour" else "day"
    if not starts:
        chart.desc = "No data to draw."
    else:
        parts = [
            f"{label}: {sum(b.interactions for b in buckets)} in all, at most "
            f"{max(b.interactions for b in buckets)} in one {unit}"
            for label, buckets in trends
        ]
        chart.desc = (
            f"Interactions per {unit}, {len(starts)} {unit}s from "
            f"{bucket_label(starts[0], interval)} to {bucket_label(starts[-1], interval)}. "
            + "; ".join(parts)
            + "."
        )
    return chart


def bar_chart(
    chart_id: str,
    title: str,
    rows: list[tuple[str, float, str]],
    *,
    maximum: float | None = None,
    percent: bool = False,
    intervals: list[tuple[float, float] | None] | None = None,
    legend: list[tuple[str, str]] | None = None,
    desc: str = "",
):
    """Horizontal bars, one per ``(label, value, value label)``, the label above each bar (long
    labels fit); values on a scale from 0 with round ticks (percent: rates as fractions).
    ``intervals`` adds a whisker per bar (e.g. a 95% interval, in the values' unit)."""
    height = MARGIN_TOP + BAR_ROW * max(1, len(rows)) + MARGIN_BOTTOM
    chart = BarChart(chart_id, title, desc, WIDTH, height)
    chart.right = WIDTH - MARGIN_RIGHT - BAR_LABEL_WIDTH
    chart.bottom = height - MARGIN_BOTTOM + 8
    chart.left = MARGIN_LEFT
    highest = max(
        [value for _, value, _ in rows]
        + [high for interval in intervals or [] if interval for high in interval[1:]],
        default=0,
    )
    ticks = nice_ticks(maximum if maximum is not None else highest)
    scale_top = ticks[-1]
    span = chart.right - chart.left

    def length(value: float) -> float:
        return round(span * value / scale_top, 1)

    chart.x_ticks = [
        Tick(
            round(chart.left + length(value), 1),
            f"{value * 100:g}%" if percent else number_label(value),
        )
        for value in ticks
    ]
    for number, (label, value, value_label) in enumerate(rows):
        top = MARGIN_TOP + BAR_ROW * number
        interval = (intervals or [None] * len(rows))[number]
        chart.bars.append(
            Bar(
                shorten(label),
                value_label,
                label_y=top + 12,
                y=top + 18,
                width=length(value),
                whisker=(chart.left + length(interval[0]), chart.left + length(interval[1]))
                if interval
                else None,
            )
        )
    chart.legend = legend or []
    return chart
