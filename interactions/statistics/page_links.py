"""The Statistics pages' plumbing: the form as a page shows it (period preset, routing
select, one input per reference) and the links between pages and to the history."""

from urllib.parse import urlencode

from django import forms
from django.urls import reverse

from interactions.statistics.routings import routing_choices


def page_data(query):
    """The request's parameters with the period preset the form shows: "From - to" when days
    are given, else the default 30 days."""
    data = query.copy()
    if not data.get("period"):
        data["period"] = "custom" if data.get("from") or data.get("to") else "30"
    return data


def use_routing_select(form) -> None:
    """The Smart Routing field as a select of the routings (and the asked id if unknown)."""
    choices = [("", "Any"), *((str(pk), name) for pk, name in routing_choices())]
    asked = form.data.get("routing")
    if asked and asked not in {value for value, _ in choices}:
        choices.append((asked, f"Routing #{asked}"))
    field = form.fields["routing"]
    field.widget = forms.Select(choices=choices)
    field.help_text = ""


def query_without(query, *names) -> dict:
    """The query string's parameters (repeated ones kept) without ``names``."""
    return {key: values for key, values in query.lists() if key not in names}


def url_with(path: str, query: dict) -> str:
    return f"{path}?{urlencode(query, doseq=True)}" if query else path


def reference_inputs(values: list[str], count: int) -> list[str]:
    """``count`` input values from repeated or comma-separated parameters."""
    found = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return (found + [""] * count)[: max(count, len(found))]


def drop_off_url(scope, steps: list[str], number: int) -> str:
    """The history of the interactions that reached steps 1..number-1 and not step number."""
    query = {
        "reached": ",".join(steps[: number - 1]),
        "not_reached": steps[number - 1],
        "reached_from": scope.first_day.isoformat(),
        "reached_to": scope.last_day.isoformat(),
    }
    if scope.channel:
        query["channel"] = scope.channel
    if scope.routing_id:
        query["reached_routing"] = str(scope.routing_id)
    return f"{reverse('interactions:interaction_list')}?{urlencode(query)}"


def report_url(report: str, scope, **references: list[str]) -> str:
    """A report page for ``scope`` with the given references (``steps=[...]`` etc.)."""
    query = {key: [value] for key, value in scope.query().items()}
    query["period"] = ["custom"]
    query.update(references)
    return url_with(reverse(f"statistics:{report}"), query)


VARIANT_SUFFIX_MAX = 3  # "campaign_a", "offer-v2": a short last part names the variant


def variant_groups(checkpoints: list[tuple[str, str]], limit: int = 3) -> list[list[tuple]]:
    """Checkpoints that look like the variants of one test: 2 to 4 references that differ
    only in a short last part after "_", "-" or "." (campaign_a, campaign_b). The A/B page
    offers them as a starting point; the goal is the user's choice."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for reference, name in checkpoints:
        for separator in "_-.":
            stem, found, suffix = reference.rpartition(separator)
            if found and stem and 0 < len(suffix) <= VARIANT_SUFFIX_MAX:
                groups.setdefault(stem + separator, []).append((reference, name))
                break
    return [group for group in groups.values() if 2 <= len(group) <= 4][:limit]
