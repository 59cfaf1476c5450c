"""The History page of an object (its configuration history, newest first): a thin view
over ``checkpoint_maker.history``; a subclass names its model (and, if need be, its
template)."""

from django.shortcuts import render
from django.views import View

from checkpoint_maker import history
from checkpoint_maker.pagination import keyset_page
from checkpoint_maker.views import ModelViewMixin, user_can


def cursor_url(query, direction: str, cursor: str | None) -> str:
    """The link to the page after (``older``) or before (``newer``) a cursor, keeping the
    other parameters of ``query`` (a QueryDict); empty when there is no such page."""
    if cursor is None:
        return ""
    params = query.copy()
    for name in ("older", "newer"):
        params.pop(name, None)
    params[direction] = cursor
    return f"?{params.urlencode()}"


class ObjectHistoryView(ModelViewMixin, View):
    """Who changed the object, when, and each field old → new; needs Read on it. Pages by
    cursor: two queries per page (the rows with their users, and the record before the
    page's last one for its diff), whatever the length of the history."""

    template_name = "maker/object_history.html"
    paginate_by = 50
    extra_fields: tuple[str, ...] = ()

    def history_context(self, obj, records: list, entries: list[dict]) -> dict:
        """What a subclass adds to the page (e.g. each version's Restore link)."""
        return {}

    def get(self, request, pk):
        obj = self.get_object("view")
        page = keyset_page(
            history.object_history(self.model, obj.pk),
            field="history_date",
            per_page=self.paginate_by,
            older=request.GET.get("older"),
            newer=request.GET.get("newer"),
        )
        entries = history.entries(page.rows, history.previous_record(page.rows), self.extra_fields)
        context = self.base_context(
            object=obj,
            entries=entries,
            newer_url=cursor_url(request.GET, "newer", page.newer),
            older_url=cursor_url(request.GET, "older", page.older),
            can_change=user_can(request.user, "change", obj),
            **self.history_context(obj, page.rows, entries),
        )
        return render(request, self.template_name, context)
