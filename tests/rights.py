"""One rights matrix for every app's pages and endpoints (issue 9), in the spirit of NetBox's
``utilities/testing/views.py``: each app states its routes once, and one check gives each
user the answer the rules give (DESIGN.md and API.md, Authentication and rights).

A ``Route`` is one page or endpoint: its method, its URL built from the object, the rights it
needs (``"view"``, ``"add"``, ``"change"``, ``"delete"`` on the matrix's model, or a full
``app_label.codename`` of another model), whether it is an object route, and for a write the
body it sends and ``stored``, what the write changes, read before and after the request.

The users (``CELLS``); all but ``anonymous`` and ``none`` also hold ``Route.also`` role-wide:

- ``anonymous``: a page sends to the login page (302 to ``/login/?next=``); the API is 401;
- ``none``: no right at all: 403;
- ``reader``: the view right role-wide: the answer where the route needs only view, else 403;
- ``others``: every right of the model but those the route needs, role-wide: 403;
- ``role``: the rights the route needs, role-wide: the answer;
- ``admin``: a superuser: the answer;
- ``grant``: the rights the route needs on that one object (guardian ``assign_perm``): the
  answer where a grant on an object is enough (``per_object``), else 403;
- ``elsewhere``: that grant on another object: 403 (the API answers 404 on an object route:
  the user may not even read the object), but a list answers (it shows the other object);
- ``licence_off``: the ``role`` user while the Smart licence is off: 403 with the licence
  message on a licensed route, else the answer.

Every refused write stores nothing (``stored`` reads the same after the request); every
allowed one stores something (it reads differently).

Usage, in an app's ``test_rights.py``::

    ROUTES = [Route("detail", "GET", lambda obj: obj.get_absolute_url(), ("view",)), ...]

    @pytest.mark.parametrize(("route", "cell"), matrix(ROUTES))
    def test_pages(client, checkpoint, other_checkpoint, route, cell):
        check(client, route, cell, checkpoint, other_checkpoint, api=False)
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import models
from django.test import override_settings
from guardian.shortcuts import assign_perm

from tests.conftest import make_user

LICENCE_MESSAGE = "Checkpoints are part of the Smart licence"
CELLS = (
    "anonymous",
    "none",
    "reader",
    "others",
    "role",
    "admin",
    "grant",
    "elsewhere",
    "licence_off",
)
ACTIONS = ("view", "add", "change", "delete")


@dataclass(frozen=True)
class Route:
    """One page or endpoint and the rule it follows."""

    label: str
    method: str
    url: Callable[[Any], str]
    needs: tuple[str, ...]
    object_route: bool = True
    body: Callable[[Any], dict] | None = None
    ok: int = 200
    stored: Callable[[Any], Any] | None = None
    # Whether the needed rights granted on the object are enough (default: unless the route
    # needs the add right, which is role-wide).
    per_object: bool | None = None
    also: tuple[str, ...] = ()
    licensed: bool = True

    def __str__(self) -> str:
        return self.label

    @property
    def by_object(self) -> bool:
        if self.per_object is not None:
            return self.per_object
        return "add" not in self.needs


@dataclass(frozen=True)
class StoredReads:
    """What a model's writes store, as ``Route.stored`` reads it: how many rows there are,
    whether the object is still there, its name."""

    model: type[models.Model]

    def count(self, _obj) -> int:
        return self.model.objects.count()

    def exists(self, obj) -> bool:
        return self.model.objects.filter(pk=obj.pk).exists()

    def name_of(self, obj) -> str:
        return self.model.objects.get(pk=obj.pk).name


def object_pages(
    page: Callable[..., str], *, model: type[models.Model], new: dict, changed: dict
) -> list[Route]:
    """The generic Maker pages of ``model`` (checkpoint_maker.views): list, detail, add, edit,
    duplicate, delete and bulk delete, each GET and its POST. ``page(action, pk=...)`` builds
    a URL; ``new`` and ``changed`` are form bodies."""
    stored = StoredReads(model)

    def of(action: str) -> Callable:
        return lambda obj: page(action, pk=obj.pk)

    def bare(action: str) -> Callable:
        return lambda _: page(action)

    post = {"ok": 302}
    return [
        Route("list", "GET", bare("list"), ("view",), object_route=False),
        Route("detail", "GET", of("detail"), ("view",)),
        Route("add", "GET", bare("add"), ("add",), object_route=False),
        Route(
            "add POST",
            "POST",
            bare("add"),
            ("add",),
            object_route=False,
            body=lambda _: new,
            stored=stored.count,
            **post,
        ),
        Route("edit", "GET", of("edit"), ("change",)),
        Route(
            "edit POST",
            "POST",
            of("edit"),
            ("change",),
            body=lambda _: changed,
            stored=stored.name_of,
            **post,
        ),
        Route("duplicate", "GET", of("duplicate"), ("view", "add")),
        Route(
            "duplicate POST",
            "POST",
            of("duplicate"),
            ("view", "add"),
            body=lambda _: new,
            stored=stored.count,
            **post,
        ),
        Route("delete", "GET", of("delete"), ("delete",)),
        Route("delete POST", "POST", of("delete"), ("delete",), stored=stored.exists, **post),
        # The confirmation lists the selected objects: reading them is needed too.
        Route(
            "bulk delete confirmation",
            "POST",
            bare("bulk_delete"),
            ("view", "delete"),
            object_route=False,
            body=lambda obj: {"pk": [obj.pk]},
        ),
        Route(
            "bulk delete POST",
            "POST",
            bare("bulk_delete"),
            ("delete",),
            object_route=False,
            body=lambda obj: {"pk": [obj.pk], "confirm": "1"},
            stored=stored.exists,
            **post,
        ),
    ]


def object_endpoints(
    api: str, *, model: type[models.Model], new: dict, changed: dict
) -> list[Route]:
    """The REST endpoints of ``model``'s viewset under ``api`` (``/api/v1/checkpoints/``):
    list, create, retrieve, update, partial update (the name) and destroy; ``new`` and
    ``changed`` are bodies."""
    stored = StoredReads(model)

    def one(obj) -> str:
        return f"{api}{obj.pk}/"

    return [
        Route("list", "GET", lambda _: api, ("view",), object_route=False),
        Route(
            "create",
            "POST",
            lambda _: api,
            ("add",),
            object_route=False,
            body=lambda _: new,
            ok=201,
            stored=stored.count,
        ),
        Route("retrieve", "GET", one, ("view",)),
        Route("update", "PUT", one, ("change",), body=lambda _: changed, stored=stored.name_of),
        Route(
            "partial update",
            "PATCH",
            one,
            ("change",),
            body=lambda _: {"name": changed["name"]},
            stored=stored.name_of,
        ),
        Route("destroy", "DELETE", one, ("delete",), ok=204, stored=stored.exists),
    ]


def matrix(routes: list[Route]) -> list:
    """The (route, cell) cases, with ids such as ``edit POST-reader``."""
    return [
        pytest.param(route, cell, id=f"{route.label}-{cell}") for route in routes for cell in CELLS
    ]


def permission(model: type[models.Model], right: str) -> str:
    """``"view"`` on ``model`` as ``app_label.view_model``; a full name is kept."""
    if "." in right:
        return right
    return f"{model._meta.app_label}.{right}_{model._meta.model_name}"


def expected_status(route: Route, cell: str, *, api: bool) -> int:
    """The status the rules give ``cell`` on ``route``."""
    if cell == "anonymous":
        return 401 if api else 302
    if cell in ("none", "others"):
        return 403
    if cell == "reader":
        return route.ok if set(route.needs) <= {"view"} else 403
    if cell == "grant":
        return route.ok if route.by_object else 403
    if cell == "elsewhere":
        if not route.by_object:
            return 403
        if route.object_route:
            return 404 if api else 403
        return route.ok if set(route.needs) <= {"view"} else 403
    if cell == "licence_off":
        return 403 if route.licensed else route.ok
    return route.ok  # role, admin


def user_for(cell: str, route: Route, model, obj, other) -> User | None:
    if cell == "anonymous":
        return None
    if cell == "none":
        return make_user("nobody")
    if cell == "admin":
        return User.objects.create_superuser("admin", password="pass-for-tests-1")
    also = list(route.also)
    if cell == "reader":
        return make_user("reader", [permission(model, "view"), *also])
    if cell == "others":
        others = [permission(model, right) for right in ACTIONS if right not in route.needs]
        return make_user("others", [*others, *also])
    if cell in ("role", "licence_off"):
        return make_user("role", [*(permission(model, need) for need in route.needs), *also])
    user = make_user("granted", also)
    for need in route.needs:
        if "." not in need:  # a right of another model has no object to be granted on
            assign_perm(permission(model, need), user, obj if cell == "grant" else other)
    return user


def send(client, route: Route, obj, *, api: bool):
    url = route.url(obj)
    body = route.body(obj) if route.body else None
    call = getattr(client, route.method.lower())
    if api:
        return call(url, body, format="json")
    return call(url, body) if body is not None else call(url)


def check(client, route: Route, cell: str, obj, other, *, api: bool) -> None:
    """Sends ``route`` on ``obj`` as ``cell`` and checks the answer and what was stored."""
    model = type(obj)
    user = user_for(cell, route, model, obj, other)
    if user is not None:
        client.force_login(user)
    before = route.stored(obj) if route.stored else None
    with override_settings(SMART_LICENCE=cell != "licence_off"):
        response = send(client, route, obj, api=api)
    expected = expected_status(route, cell, api=api)
    assert response.status_code == expected, (route.label, cell, response.status_code)
    if cell == "anonymous" and not api:
        assert response.url.startswith("/login/?next="), response.url
    if cell == "licence_off" and route.licensed:
        assert LICENCE_MESSAGE in response.content.decode()
    if route.stored is not None:
        after = route.stored(obj)
        if expected == route.ok and cell != "anonymous":  # a 302 to the login page
            assert after != before, f"{route.label} as {cell} stored nothing"
        else:
            assert after == before, f"{route.label} as {cell} was refused but stored {after}"
