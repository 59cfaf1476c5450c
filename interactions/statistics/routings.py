"""The Smart Routing choices of the statistics pages' routing select.

Interactions must not import routing: the routing app registers, in its ready(), a function
answering ``[(id, name), ...]`` of its routings in one query; without one the select offers
only "Any".
"""

from collections.abc import Callable

RoutingChoices = Callable[[], list[tuple[int, str]]]

_source: list[RoutingChoices] = []


def register_routing_choices(func: RoutingChoices) -> None:
    """Name the function that lists the routings (the last one registered wins)."""
    _source[:] = [func]


def routing_choices() -> list[tuple[int, str]]:
    """``[(id, name), ...]`` of the routings, or nothing if no app registered them."""
    return list(_source[0]()) if _source else []
