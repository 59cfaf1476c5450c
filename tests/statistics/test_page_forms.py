"""The Statistics pages' form and how their figures read: a bad parameter shown on a 200 page
(next to its field, or above the form when the field is hidden), the form keeping the period,
channel and routing, durations, periods and chart scales in words and round ticks, and charts
with no inline style. The pages' figures are in test_pages.py."""

import datetime
import re
from html import unescape

import pytest

from interactions.statistics import charts, display
from routing.models import SmartRouting
from tests.statistics.test_pages import (
    AB,
    FUNNEL,
    JOURNEYS,
    OVERVIEW,
    PERIOD,
    log_in_supervisor,
    three_step_journeys,
)


@pytest.fixture
def supervisor(client, db):
    return log_in_supervisor(client)


@pytest.mark.parametrize(
    ("url", "query", "field_id", "message"),
    [
        (
            OVERVIEW,
            {"from": "2026-11-30", "to": "2026-11-01"},
            "id_from",
            "from must not be after to.",
        ),
        (OVERVIEW, {"from": "yesterday"}, "id_from", "Enter a valid date."),
        (OVERVIEW, {"references": "nope"}, "id_references", "Unknown reference: nope."),
        (FUNNEL, {"steps": "a"}, "id_steps", "Give at least 2 references."),
        (FUNNEL, {"steps": ["a", "zz"]}, "id_steps", "Unknown reference: zz."),
        (AB, {"variants": ["a", "b"]}, "id_goal", "This field is required."),
        (JOURNEYS, {"limit": "0"}, "id_limit", "Ensure this value is greater than or equal to 1."),
        (OVERVIEW, {"routing": "x"}, "id_routing", "Enter a whole number."),
    ],
)
def test_a_bad_parameter_is_shown_next_to_its_field(
    supervisor, journeys, url, query, field_id, message
):
    three_step_journeys(journeys)
    response = supervisor.get(url, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(
        rf'<ul class="errorlist" id="{field_id}_error"><li>{re.escape(message)}</li>', html
    )
    assert "Download CSV" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"sort": "name"},
            "Sort: Select a valid choice. name is not one of the available choices.",
        ),
        ({"offset": "-1"}, "From row: Ensure this value is greater than or equal to 0."),
    ],
)
def test_a_bad_hidden_parameter_is_shown_above_the_form(supervisor, journeys, query, message):
    response = supervisor.get(OVERVIEW, query)
    assert response.status_code == 200
    alert = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', response.text, re.S)
    assert message in unescape(alert.group(1))


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (None, "—"),
        (4.25, "4.2 s"),
        (59.96, "60 s"),
        (65, "1 min 5 s"),
        (3600, "1 h"),
        (90061, "1 d 1 h 1 min 1 s"),
    ],
)
def test_durations_read_as_words(seconds, expected):
    assert display.duration_text(seconds) == expected


def test_periods_read_shortest():
    nov = datetime.date(2026, 11, 1)
    assert display.period_text(nov, nov) == "1 Nov 2026"
    assert display.period_text(datetime.date(2026, 10, 28), nov) == "28 Oct \N{EN DASH} 1 Nov 2026"
    assert (
        display.period_text(datetime.date(2025, 12, 28), nov)
        == "28 Dec 2025 \N{EN DASH} 1 Nov 2026"
    )


def test_the_form_keeps_the_period_channel_and_routing(supervisor, journeys):
    routing = SmartRouting.objects.create(name="Main voice line")
    response = supervisor.get(OVERVIEW, {"period": "7", "channel": "email", "routing": routing.pk})
    html = response.content.decode()
    assert '<option value="7" selected>Last 7 days</option>' in html
    assert '<option value="email" selected>Email</option>' in html
    assert f'<option value="{routing.pk}" selected>Main voice line</option>' in html
    assert '<label for="id_routing">Smart Routing</label>' in html
    assert (
        '<option value="30" selected>Last 30 days</option>'
        in supervisor.get(OVERVIEW).content.decode()
    )
    nav = re.search(r'<nav class="statistics-nav".*?</nav>', html, flags=re.S).group(0)
    assert f'href="/statistics/funnel/?period=7&amp;channel=email&amp;routing={routing.pk}"' in nav


def test_charts_use_no_inline_style(supervisor, journeys):
    three_step_journeys(journeys)
    for url, query in (
        (OVERVIEW, PERIOD),
        (FUNNEL, {**PERIOD, "steps": "a,b,c"}),
        (AB, {**PERIOD, "variants": "a,b", "goal": "c"}),
        (JOURNEYS, PERIOD),
    ):
        html = supervisor.get(url, query).content.decode()
        assert " style=" not in html and "<style" not in html
        assert '/static/maker/statistics.css"' in html
        assert "<figcaption>" in html


def test_chart_scales_have_round_ticks_covering_the_data():
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(7) == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert charts.nice_ticks(0.7) == [0.0, 0.2, 0.4, 0.6, 0.8]
    chart = charts.bar_chart(
        "c",
        "Conversion",
        [("A", 0.25, "25%"), ("B", 0.5, "50%")],
        percent=True,
        intervals=[(0.1, 0.4), None],
    )
    assert [tick.label for tick in chart.x_ticks] == ["0%", "10%", "20%", "30%", "40%", "50%"]
    first, second = chart.bars
    assert first.width == (chart.right - chart.left) / 2
    assert first.whisker == (
        chart.left + (chart.right - chart.left) / 5,
        chart.left + (chart.right - chart.left) * 4 / 5,
    )
    assert second.whisker is None and second.width == chart.right - chart.left
