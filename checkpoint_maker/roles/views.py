"""Maker > Administration > Roles: list, create, edit (name, members, rights matrix), delete.

A role is a Django group, so the rights are auth's group permissions (view, add, change,
delete), role-wide or on one group through django-guardian. The rights checks come from the
generic ModelViewMixin; the views are small because the Roles pages live in the ``roles``
namespace rather than the generic ``<app_label>:<model>_<action>`` one. Writes go through
``services``.
"""

from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from checkpoint_maker.extensions import delete_warnings
from checkpoint_maker.pagination import CappedPaginator
from checkpoint_maker.permissions import (
    ACTION_LABELS,
    ACTIONS,
    has_any_permission,
    restrict_to_permitted,
    user_can,
)
from checkpoint_maker.roles import services
from checkpoint_maker.roles.forms import RoleForm
from checkpoint_maker.roles.tables import RoleTable
from checkpoint_maker.views import ModelViewMixin, apply_validation_error, safe_return_url


def role_url(action: str, group: Group | None = None) -> str:
    """``roles:role_<action>``, with the group's pk when given."""
    kwargs = {"pk": group.pk} if group is not None else None
    return reverse(f"roles:role_{action}", kwargs=kwargs)


READ_ACTIONS = ("view", "change")


class RoleViewMixin(ModelViewMixin):
    model = Group
    verbose_name = "role"
    verbose_name_plural = "roles"

    def can(self, action: str, obj: Group | None = None) -> bool:
        return user_can(self.request.user, action, Group if obj is None else obj)

    def base_context(self, **extra) -> dict:
        # Not the generic one: its list URL would be "auth:group_list".
        return {
            "model_name": self.verbose_name,
            "model_name_plural": self.verbose_name_plural,
            "list_url": role_url("list"),
            **extra,
        }


class RoleListView(RoleViewMixin, View):
    template_name = "maker/roles/role_list.html"
    paginate_by = 50

    def get(self, request):
        user = request.user
        # Modify implies Read, as in the Django admin (the menu shows Roles to Modify).
        if not any(has_any_permission(user, Group, action) for action in READ_ACTIONS):
            raise PermissionDenied("You do not have the right to read roles.")
        groups = Group.objects.all()
        readable = Q()
        for action in READ_ACTIONS:
            readable |= Q(pk__in=restrict_to_permitted(user, action, groups).values("pk"))
        queryset = (
            groups.filter(readable).annotate(member_count=Count("user")).order_by("name", "pk")
        )
        page = CappedPaginator(queryset, self.paginate_by).get_page(request.GET.get("page"))
        table = RoleTable(page.object_list, user=user, caption="Roles")
        context = self.base_context(
            page=page,
            table=table,
            can_add=self.can("add"),
            add_url=role_url("add"),
        )
        return render(request, self.template_name, context)


class RoleEditView(RoleViewMixin, View):
    """New role (no pk) or one role's page: editable with Modify, read-only with Read only."""

    template_name = "maker/roles/role_form.html"

    def get_group(self, method: str) -> Group | None:
        if "pk" not in self.kwargs:
            self.require("add")
            return None
        if method != "GET":
            return self.get_object("change")
        group = get_object_or_404(Group, pk=self.kwargs["pk"])
        if not any(self.can(action, group) for action in READ_ACTIONS):
            self.require("view", group)  # raises PermissionDenied
        return group

    def render_form(self, form, group: Group | None, *, read_only: bool = False):
        if group is None:
            title = "New role"
        elif read_only:
            title = f"Role “{group}”"
        else:
            title = f"Edit role “{group}”"
        context = self.base_context(
            form=form,
            object=group,
            title=title,
            read_only=read_only,
            action_labels=[ACTION_LABELS[action] for action in ACTIONS],
            can_delete=group is not None and self.can("delete", group),
            delete_url=role_url("delete", group) if group is not None else "",
            cancel_url=safe_return_url(self.request, role_url("list")),
        )
        return render(self.request, self.template_name, context)

    def get(self, request, **kwargs):
        group = self.get_group("GET")
        read_only = group is not None and not self.can("change", group)
        return self.render_form(
            RoleForm(group=group, read_only=read_only), group, read_only=read_only
        )

    def post(self, request, **kwargs):
        group = self.get_group("POST")
        form = RoleForm(request.POST, group=group)
        if form.is_valid():
            try:
                saved = services.save_role(
                    group,
                    name=form.cleaned_data["name"],
                    members=form.cleaned_data["members"],
                    rights=form.ticked_rights(),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                verb = "created" if group is None else "saved"
                messages.success(request, f"Role “{saved}” {verb}.")
                return HttpResponseRedirect(safe_return_url(request, role_url("list")))
        messages.error(request, "Please correct the errors below.")
        return self.render_form(form, group)


class RoleDeleteView(RoleViewMixin, View):
    """A confirmation page (the generic one), then the deletion."""

    template_name = "maker/object_delete.html"

    def get(self, request, pk):
        group = self.get_object("delete")
        warnings = delete_warnings(Group, [group])
        members = group.user_set.count()
        if members:
            who = "1 user has" if members == 1 else f"{members} users have"
            warnings.insert(0, f"{who} this role and will lose the rights it gives.")
        context = self.base_context(
            object=group,
            cancel_url=safe_return_url(request, role_url("edit", group)),
            delete_warnings=warnings,
        )
        return render(request, self.template_name, context)

    def post(self, request, pk):
        group = self.get_object("delete")
        name = str(group)
        services.delete_role(group)
        messages.success(request, f"Role “{name}” deleted.")
        return redirect(role_url("list"))
