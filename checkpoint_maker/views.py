"""Generic Maker views reused by every model (NetBox style): list, detail, edit (add, change,
duplicate), delete and bulk delete.

They hold no business rule: a subclass names its model, form, filterset and the service calls
that write. Every view checks the right it needs: anonymous users go to the login page, users
without the right get 403.
"""

import copy

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.views import View

from checkpoint_maker.extensions import delete_warnings, detail_panels, edit_warnings
from checkpoint_maker.menu import items_for
from checkpoint_maker.pagination import CappedPaginator
from checkpoint_maker.permissions import (
    has_any_permission,
    permitted_ids,
    restrict_to_permitted,
    user_can,
)
from checkpoint_maker.tables import (
    EXPORT_FORMATS,
    EXPORT_LIMIT,
    ObjectTable,
    export_links,
    export_response,
    model_url_name,
)
from checkpoint_maker.validators import MAX_ID


def list_url(model: type[models.Model]) -> str:
    return reverse(model_url_name(model, "list"))


def safe_return_url(request, fallback: str) -> str:
    """The ``return_url`` the request names, if it stays on this site, else ``fallback``."""
    candidate = request.POST.get("return_url") or request.GET.get("return_url")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def apply_validation_error(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


class ModelViewMixin(LoginRequiredMixin):
    """Names and rights of one model for its Maker views."""

    model: type[models.Model]

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def verbose_name_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def require(self, action: str, obj: models.Model | None = None) -> None:
        if not user_can(self.request.user, action, self.model if obj is None else obj):
            raise PermissionDenied(
                f"You do not have the right to {action} this {self.verbose_name}."
            )

    def get_object(self, action: str) -> models.Model:
        obj = get_object_or_404(self.model, pk=self.kwargs["pk"])
        self.require(action, obj)
        return obj

    def base_context(self, **extra) -> dict:
        return {
            "model_name": self.verbose_name,
            "model_name_plural": self.verbose_name_plural,
            "list_url": list_url(self.model),
            **extra,
        }


class ObjectListView(ModelViewMixin, View):
    """Searchable, sortable, paginated list with bulk selection, rendered by ``table_class``
    (``ObjectTable``); ``?export=csv|json|xlsx`` downloads the same filtered, sorted list
    (``EXPORT_LIMIT`` rows at most)."""

    filterset_class = None
    table_class: type[ObjectTable]
    default_sort = "name"
    paginate_by = 25
    template_name = "maker/object_list.html"
    search_placeholder = "Search"
    export_limit = EXPORT_LIMIT

    def get_queryset(self):
        return restrict_to_permitted(self.request.user, "view", self.model._default_manager.all())

    def sort_field(self) -> str:
        requested = self.request.GET.get("sort", self.default_sort)
        allowed = self.table_class.sort_fields()
        return requested if requested.lstrip("-") in allowed else self.default_sort

    def export(self, queryset, export_format: str, sort: str):
        """The first ``export_limit`` rows of the list, as it is filtered and sorted."""
        limit = self.export_limit
        rows = list(queryset[: limit + 1])
        return export_response(
            self.table_class(rows[:limit], order_by=sort),
            export_format,
            self.verbose_name_plural,
            limit=limit,
            truncated=len(rows) > limit,
        )

    def get(self, request):
        user = request.user
        if not has_any_permission(user, self.model, "view"):
            raise PermissionDenied(f"You do not have the right to read {self.verbose_name_plural}.")
        filterset = self.filterset_class(request.GET, queryset=self.get_queryset())
        queryset = filterset.qs if filterset.is_valid() else self.get_queryset().none()
        sort = self.sort_field()
        queryset = queryset.order_by(sort, "pk")
        export_format = request.GET.get("export")
        if export_format in EXPORT_FORMATS:
            return self.export(queryset, export_format, sort)
        page = CappedPaginator(queryset, self.paginate_by).get_page(request.GET.get("page"))
        plural = capfirst(self.verbose_name_plural)
        table = self.table_class(
            page.object_list,
            user=user,
            order_by=sort,
            caption=f"{plural}, page {page.number} of {page.paginator.num_pages}",
        )
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context = self.base_context(
            filterset=filterset,
            page=page,
            table=table,
            query_string=query.urlencode(),
            can_add=user_can(user, "add", self.model),
            can_bulk_delete=table.can_bulk_delete,
            add_url=reverse(model_url_name(self.model, "add")),
            bulk_delete_url=reverse(model_url_name(self.model, "bulk_delete")),
            export_links=export_links(query, self.verbose_name_plural),
            export_limit=f"{self.export_limit:,}",
            search=request.GET.get("search", ""),
            search_placeholder=self.search_placeholder,
            filtered=any(
                value
                for key, value in request.GET.items()
                if key not in ("search", "page", "sort", "export")
            ),
        )
        return render(request, self.template_name, context)


class ObjectDetailView(ModelViewMixin, View):
    """An object's page; other apps add sections through ``extensions.detail_panels``."""

    template_name: str

    def get_extra_context(self, obj) -> dict:
        return {}

    def get(self, request, pk):
        obj = self.get_object("view")
        user = request.user
        context = self.base_context(
            object=obj,
            can_change=user_can(user, "change", obj),
            can_delete=user_can(user, "delete", obj),
            can_add=user_can(user, "add", self.model),
            panels=detail_panels(request, obj),
            **self.get_extra_context(obj),
        )
        return render(request, self.template_name, context)


class ObjectEditView(ModelViewMixin, View):
    """Create (no pk) or change (pk) one object through the subclass's ``save_form``."""

    form_class = None
    template_name = "maker/object_edit.html"

    def save_form(self, form, instance):
        raise NotImplementedError

    def get_instance(self):
        if "pk" in self.kwargs:
            return self.get_object("change")
        self.require("add")
        return None

    def get_form(self, instance, data=None):
        return self.form_class(data=data, instance=instance)

    def title(self, instance) -> str:
        return f"Edit {instance}" if instance else f"New {self.verbose_name}"

    def success_message(self, obj, instance) -> str:
        return f"{self.verbose_name.capitalize()} “{obj}” {'saved' if instance else 'created'}."

    def success_url(self, obj) -> str:
        """Where a save leads when the request names no ``return_url``: the list."""
        return list_url(self.model)

    def render_form(self, form, instance):
        return render(
            self.request,
            self.template_name,
            self.base_context(
                form=form,
                object=instance,
                title=self.title(instance),
                notice=getattr(self, "notice", ""),
                edit_warnings=edit_warnings(instance) if instance else [],
                cancel_url=safe_return_url(self.request, list_url(self.model)),
            ),
        )

    def get(self, request, **kwargs):
        instance = self.get_instance()
        return self.render_form(self.get_form(instance), instance)

    def post(self, request, **kwargs):
        instance = self.get_instance()
        before = copy.copy(instance)
        form = self.get_form(instance, data=request.POST)
        if form.is_valid():
            try:
                obj = self.save_form(form, instance)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, self.success_message(obj, instance))
                if before is not None and form.has_changed():
                    for warning in edit_warnings(before, set(form.changed_data)):
                        messages.warning(request, warning)
                return HttpResponseRedirect(safe_return_url(request, self.success_url(obj)))
        messages.error(request, "Please correct the errors below.")
        return self.render_form(form, instance)


class ObjectDuplicateView(ObjectEditView):
    """A prefilled copy of the object named in the URL: needs the right to read it and to
    create role-wide. Subclasses say what the form starts with and how the copy is made."""

    def initial_from(self, source) -> dict:
        raise NotImplementedError

    def duplicate(self, source, cleaned_data: dict):
        raise NotImplementedError

    def get_instance(self):
        self.source = self.get_object("view")
        self.require("add")
        return None

    def get_form(self, instance, data=None):
        return self.form_class(data=data, initial=self.initial_from(self.source))

    def title(self, instance) -> str:
        return f"Duplicate {self.source}"

    def success_message(self, obj, instance) -> str:
        return f"{self.verbose_name.capitalize()} “{obj}” created as a copy of “{self.source}”."

    def save_form(self, form, instance):
        return self.duplicate(self.source, form.cleaned_data)


class ObjectDeleteView(ModelViewMixin, View):
    """A confirmation page, then the subclass's ``delete_object``."""

    template_name = "maker/object_delete.html"

    def delete_object(self, obj) -> None:
        raise NotImplementedError

    def get(self, request, pk):
        obj = self.get_object("delete")
        return render(
            request,
            self.template_name,
            self.base_context(
                object=obj,
                cancel_url=safe_return_url(request, obj.get_absolute_url()),
                delete_warnings=delete_warnings(self.model, [obj]),
            ),
        )

    def post(self, request, pk):
        obj = self.get_object("delete")
        label = str(obj)
        self.delete_object(obj)
        messages.success(request, f"{self.verbose_name.capitalize()} “{label}” deleted.")
        return redirect(list_url(self.model))


class BulkDeleteView(ModelViewMixin, View):
    """POST the selected ids: first a confirmation page listing them, then one transaction."""

    template_name = "maker/bulk_delete.html"

    def bulk_delete(self, ids: list[int]) -> int:
        raise NotImplementedError

    def selected_ids(self) -> list[int]:
        ids = []
        for value in self.request.POST.getlist("pk"):
            try:
                ids.append(int(value))
            except ValueError:
                continue
        return ids

    def post(self, request):
        ids = self.selected_ids()
        if not ids:
            messages.warning(request, f"Select at least one {self.verbose_name} to delete.")
            return redirect(list_url(self.model))
        if unknown := [pk for pk in ids if not 0 < pk <= MAX_ID]:
            messages.error(request, f"No {self.verbose_name} with id {unknown[0]}.")
            return redirect(list_url(self.model))
        if "confirm" in request.POST:
            try:
                deleted = self.bulk_delete(ids)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
                return redirect(list_url(self.model))
            messages.success(request, f"{deleted} {self.verbose_name_plural} deleted.")
            return redirect(list_url(self.model))
        objects = list(
            restrict_to_permitted(
                request.user, "view", self.model._default_manager.filter(pk__in=ids)
            )
        )
        if permitted_ids(request.user, "delete", objects) != set(ids):
            raise PermissionDenied(
                f"You do not have the right to delete every selected {self.verbose_name}."
            )
        return render(
            request,
            self.template_name,
            self.base_context(
                objects=objects, delete_warnings=delete_warnings(self.model, objects)
            ),
        )


class HomeView(LoginRequiredMixin, View):
    """The first Maker page the user may use, or a page saying there is none."""

    def get(self, request):
        items = items_for(request.user)
        if items:
            return redirect(items[0].url)
        return render(request, "maker/home.html")
