"""Interactions pages: the history list, the details page (the same page for a live interaction
and for history) and the fragments the details page polls while the interaction is live.

Thin HTTP over the selectors and the generic Maker views. Rights: ``interactions.view_interaction``
role-wide or on the interaction (django-guardian); anonymous users go to the login page, users
without the right get 403.
"""

import json
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from checkpoint_maker import views as generic
from checkpoint_maker.extensions import Panel
from checkpoint_maker.licence import smart_licence_active
from checkpoint_maker.pagination import keyset_page
from checkpoint_maker.permissions import (
    has_any_permission,
    permitted_ids,
    restrict_to_permitted,
)
from checkpoint_maker.tables import EXPORT_FORMATS, EXPORT_LIMIT, export_links, export_response
from interactions import selectors
from interactions.filters import InteractionFilterSet
from interactions.models import Interaction
from interactions.statistics import display
from interactions.statistics import selectors as statistics_selectors
from interactions.tables import InteractionTable

DETAIL_TEMPLATE = "interactions/interaction_detail.html"
POLL_SECONDS = 5
# The parts of the details page that refresh while the interaction is live (template partials).
JOURNEY_PARTS = ("status", "checkpoints", "information", "data")
TABS = ("information", "data")
REACHED_FILTERS = ("reached", "not_reached", "reached_from", "reached_to", "reached_routing")


class InteractionListView(generic.ModelViewMixin, View):
    """Interactions history: newest first, filtered, paged by cursor (Newer and Older: the
    same cost on the first page and a year back); each row opens its details."""

    model = Interaction
    paginate_by = 25
    export_limit = EXPORT_LIMIT
    template_name = "interactions/interaction_list.html"

    def get(self, request):
        if not has_any_permission(request.user, Interaction, "view"):
            raise PermissionDenied("You do not have the right to read interactions.")
        queryset = restrict_to_permitted(request.user, "view", selectors.interactions_for_history())
        filterset = InteractionFilterSet(request.GET, queryset=queryset)
        for name in ("channel", "status"):
            field = filterset.form.fields[name]
            field.empty_label = "Any"
            field.choices = filterset.filters[name].extra["choices"]
        found = filterset.qs if filterset.is_valid() else queryset.none()
        export_format = request.GET.get("export")
        if export_format in EXPORT_FORMATS:
            return self.export(found, export_format)
        page = keyset_page(
            found,
            field="started_at",
            per_page=self.paginate_by,
            older=request.GET.get("older"),
            newer=request.GET.get("newer"),
        )
        query = request.GET.copy()
        for cursor in ("older", "newer", "page", "export"):
            query.pop(cursor, None)
        filtered = any(request.GET.get(name) for name in filterset.filters)
        return render(
            request,
            self.template_name,
            self.base_context(
                filterset=filterset,
                interactions=page.rows,
                table=InteractionTable(page.rows, caption="Interactions, newest first"),
                export_links=export_links(query, "interactions"),
                export_limit=f"{self.export_limit:,}",
                newer_url=self.page_url(query, "newer", page.newer),
                older_url=self.page_url(query, "older", page.older),
                filtered=filtered,
                **self.reached_filter(filterset, query),
            ),
        )

    def export(self, found, export_format: str):
        """The newest ``export_limit`` interactions of the filtered list, read by cursor like
        a page (no count)."""
        limit = self.export_limit
        page = keyset_page(found, field="started_at", per_page=limit, older=None, newer=None)
        return export_response(
            InteractionTable(page.rows),
            export_format,
            "interactions",
            limit=limit,
            truncated=page.older is not None,
        )

    def reached_filter(self, filterset, query) -> dict:
        """A funnel's drop-off in words, with the link that removes it (two queries at most,
        for the names), when the reached filters are in the URL."""
        data = filterset.form.cleaned_data if filterset.is_valid() else {}
        reached = [ref.strip() for ref in (data.get("reached") or "").split(",") if ref.strip()]
        not_reached = (data.get("not_reached") or "").strip()
        if not (reached or not_reached):
            return {}
        references = [*reached, *([not_reached] if not_reached else [])]
        names = statistics_selectors.reference_names(references)
        routing = data.get("reached_routing")
        text = display.reached_text(
            reached, not_reached, data.get("reached_from"), data.get("reached_to"), names
        )
        if routing is not None:
            text += f", through routing #{int(routing)}"
        kept = query.copy()
        for name in REACHED_FILTERS:
            kept.pop(name, None)
        removed_url = reverse("interactions:interaction_list")
        return {
            "reached_text": text,
            "reached_removed_url": f"{removed_url}?{kept.urlencode()}" if kept else removed_url,
        }

    @staticmethod
    def page_url(query, direction: str, cursor: str | None) -> str:
        if cursor is None:
            return ""
        query = query.copy()
        query[direction] = cursor
        return f"?{query.urlencode()}"


class InteractionPageMixin(generic.ModelViewMixin):
    """One interaction with its journey, prefetched, and what its details page shows."""

    model = Interaction

    def get_object(self, action: str) -> Interaction:
        interaction = get_object_or_404(selectors.interactions_with_journey(), pk=self.kwargs["pk"])
        self.require(action, interaction)
        return interaction

    def linkable_checkpoint_ids(self, attached) -> set[int]:
        """Checkpoints whose configuration page the user may open: still there, the Smart
        licence on, and the right to read them (role-wide or per object; one query at most)."""
        if not smart_licence_active():
            return set()
        existing = [row.checkpoint for row in attached if not row.checkpoint_deleted]
        return permitted_ids(self.request.user, "view", existing)

    def journey_context(self, interaction: Interaction) -> dict:
        attached = list(interaction.attached_checkpoints.all())
        linkable = self.linkable_checkpoint_ids(attached)
        for row in attached:
            row.configuration_url = (
                row.checkpoint.get_absolute_url() if row.checkpoint_id in linkable else ""
            )
        variables = [
            (key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
            for key, value in sorted((interaction.variables or {}).items())
        ]
        return {
            "interaction": interaction,
            "attached": attached,
            "tags": selectors.journey_tags(interaction),
            "variables": variables,
            "journey_url": reverse(
                "interactions:interaction_journey", kwargs={"pk": interaction.pk}
            ),
            "poll_seconds": POLL_SECONDS,
        }


class InteractionDetailView(InteractionPageMixin, generic.ObjectDetailView):
    """Brief §5: the Checkpoints section, the Information tab (alias chips) and the Data tab
    (detailed rows linking to each checkpoint's configuration page)."""

    template_name = DETAIL_TEMPLATE

    def get_extra_context(self, obj) -> dict:
        tab = self.request.GET.get("tab")
        return {**self.journey_context(obj), "tab": tab if tab in TABS else TABS[0]}


@method_decorator(never_cache, name="dispatch")
class InteractionJourneyView(InteractionPageMixin, View):
    """What a live details page polls: each of its parts (status, checkpoints, information,
    data) rendered from the page's own template partials, in one answer. Once the
    interaction is closed, ``X-Poll-Stop: 1`` tells the page to stop polling."""

    def handle_no_permission(self):
        # The page's poller (it sends X-Requested-With: fetch) must not swap the login page into
        # the details page when the session ends: answer 401 and let it retry.
        if (
            not self.request.user.is_authenticated
            and self.request.headers.get("X-Requested-With") == "fetch"
        ):
            return HttpResponse("Log in again to follow this interaction.", status=401)
        return super().handle_no_permission()

    def get(self, request, pk):
        interaction = self.get_object("view")
        context = {
            "object": interaction,
            "parts": JOURNEY_PARTS,
            **self.journey_context(interaction),
        }
        response = render(request, "interactions/interaction_journey.html", context)
        if not interaction.is_live:
            response["X-Poll-Stop"] = "1"
        return response


def checkpoint_reach_panel(request, checkpoint) -> Panel | None:
    """The checkpoint configuration page's "Interactions" panel: how many interactions reached
    the checkpoint and the latest ones the user may open. Only for users who may read
    interactions (role-wide or on at least one)."""
    user = request.user
    if not has_any_permission(user, Interaction, "view"):
        return None
    reach = selectors.checkpoint_reach(checkpoint)
    latest = reach["latest"]
    readable = permitted_ids(user, "view", [row.interaction for row in latest])
    return Panel(
        template="interactions/checkpoint_reach_panel.html",
        context={
            "count": reach["count"],
            "capped": reach["capped"],
            "latest": [row for row in latest if row.interaction_id in readable],
            "history_url": (
                f"{reverse('interactions:interaction_list')}?"
                f"{urlencode({'checkpoint': checkpoint.reference})}"
            ),
        },
        order=200,
    )
