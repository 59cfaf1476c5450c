"""Django admin for Smart Routings and their nodes: the Maker's rules, writes through the
services.

Rights are the Smart Routing's, role-wide or on one routing (django-guardian): reading a node
needs the right to read its routing, and adding, changing or deleting a node is changing its
routing. Node rules come from ``routing.rules`` (the forms below) and every write goes through
``routing.services``; the module is hidden while the Smart licence is off (and the licence
middleware answers 403 on its URLs).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from checkpoint_maker.admin import (
    GuardedObjectPermissionAdminMixin,
    WritesThroughServicesMixin,
    adopt_saved,
)
from checkpoint_maker.licence import SmartLicenceAdminMixin
from checkpoint_maker.permissions import has_any_permission, restrict_to_permitted, user_can
from routing import services
from routing.models import Node, SmartRouting
from routing.rules import OUTCOMES, branch_error, node_field_errors, sentence

NODE_FIELDS = ("kind", "label", "variable", "value", "checkpoint", "reference_code")


class NodeAdminForm(forms.ModelForm):
    """A node's rules, as the editor and the API apply them: its fields for its kind, its
    branch among its parent's outcomes, a start only as the root, and branches that stay
    valid when the kind changes. A node is never moved to another parent here."""

    class Meta:
        model = Node
        fields = ("parent", "outcome", *NODE_FIELDS)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if not kind:
            return cleaned
        for field, rule in node_field_errors(
            kind,
            label=cleaned.get("label") or "",
            variable=(cleaned.get("variable") or "").strip(),
            value=cleaned.get("value") or "",
            checkpoint_given=cleaned.get("checkpoint") is not None,
            reference_code=(cleaned.get("reference_code") or "").strip(),
        ).items():
            self.add_error(field if field in self.fields else None, sentence(rule))
        instance = self.instance
        parent = cleaned.get("parent", instance.parent if instance.pk else None)
        if instance.pk and "parent" in self.changed_data:
            self.add_error(
                "parent", "A node cannot be moved: delete it and add it where it belongs."
            )
        elif parent is None and (instance.pk is None or instance.parent_id is not None):
            self.add_error("parent", "A node needs a parent: the start is the only root.")
        elif parent is not None:
            if kind == Node.Kind.START:
                self.add_error("kind", "A start may only be the root.")
            outcome = (cleaned.get("outcome") or "").strip()
            if problem := branch_error(parent, outcome, node_id=instance.pk):
                self.add_error("outcome", sentence(problem))
        if instance.pk and "kind" in self.changed_data:
            allowed = OUTCOMES[kind]
            for child in instance.children.all():
                if allowed is not None and child.outcome not in allowed:
                    self.add_error(
                        "kind",
                        f"Its branch “{child.outcome}” would not be an outcome of a {kind}: "
                        "delete that branch first.",
                    )
        return cleaned


class NodeFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                node = form.instance
                if node.pk and node.parent_id is None:
                    raise ValidationError("The start of a routing cannot be deleted.")


class NodeInline(admin.TabularInline):
    """The routing's nodes, in creation order. Deleting a node deletes its subtree."""

    model = Node
    form = NodeAdminForm
    formset = NodeFormSet
    fk_name = "routing"
    fields = ("parent", "outcome", *NODE_FIELDS)
    autocomplete_fields = ("checkpoint",)
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        self.parent_routing = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            routing = getattr(self, "parent_routing", None)
            kwargs["queryset"] = (
                Node.objects.filter(routing=routing) if routing else Node.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Nodes are part of their routing: its rights decide.
    def has_view_permission(self, request, obj=None):
        if obj is None:
            return has_any_permission(request.user, SmartRouting, "view")
        return user_can(request.user, "view", obj) or user_can(request.user, "change", obj)

    def has_add_permission(self, request, obj=None):
        return obj is not None and user_can(request.user, "change", obj)

    def has_change_permission(self, request, obj=None):
        return obj is not None and user_can(request.user, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return obj is not None and user_can(request.user, "change", obj)


def _node_values(node: Node) -> dict:
    return {name: getattr(node, name) for name in NODE_FIELDS if name != "checkpoint"} | {
        "checkpoint": node.checkpoint
    }


def save_node(node: Node) -> Node:
    """Save a node the admin's form filled in through the services (new or changed)."""
    if node.pk is None:
        values = _node_values(node)
        kind = values.pop("kind")
        created = services.add_node(node.parent, outcome=node.outcome, kind=kind, **values)
        adopt_saved(node, created)
        return node
    return services.update_node(node, outcome=node.outcome.strip(), **_node_values(node))


@admin.register(SmartRouting)
class SmartRoutingAdmin(
    SmartLicenceAdminMixin,
    WritesThroughServicesMixin,
    GuardedObjectPermissionAdminMixin,
    SimpleHistoryAdmin,
):
    list_display = ("name", "channel", "node_count", "updated_at")
    list_display_links = ("name",)
    list_filter = ("channel", "updated_at")
    search_fields = ("name", "description")
    ordering = ("name", "id")
    fields = ("name", "channel", "description", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    inlines = [NodeInline]

    def get_inlines(self, request, obj):
        # A new routing gets its start from the service; its tree is built once it exists.
        return self.inlines if obj is not None else []

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(nodes_count=Count("nodes"))

    @admin.display(description="Nodes", ordering="nodes_count")
    def node_count(self, obj):
        return getattr(obj, "nodes_count", None)

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in ("name", "channel", "description")}
        if change:
            services.update_routing(obj, **values)
            return
        adopt_saved(obj, services.create_routing(**values))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Node:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for node in formset.deleted_objects:
            # A parent deleted first takes its subtree with it.
            if Node.objects.filter(pk=node.pk).exists():
                services.delete_node(node)
        # Existing nodes first, then new ones parents first (a new node's parent exists).
        for node, _changed in formset.changed_objects:
            save_node(node)
        for node in formset.new_objects:
            save_node(node)
        formset.save_m2m()

    def delete_model(self, request, obj):
        services.delete_routing(obj)

    def delete_queryset(self, request, queryset):
        for routing in queryset:
            services.delete_routing(routing)


class RoutingRightsNodeAdminMixin:
    """Node rights are the rights on its routing (role-wide or on that routing)."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("routing", "checkpoint")
        user = request.user
        routings = SmartRouting.objects.all()
        readable = restrict_to_permitted(user, "view", routings).values("pk")
        changeable = restrict_to_permitted(user, "change", routings).values("pk")
        return queryset.filter(routing__in=readable) | queryset.filter(routing__in=changeable)

    def get_object(self, request, object_id, from_field=None):
        # Among every node: the view then checks the right on its routing and answers 403.
        field = (
            self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        )
        try:
            return Node.objects.select_related("routing").get(
                **{field.name: field.to_python(object_id)}
            )
        except (Node.DoesNotExist, ValidationError, ValueError):
            return None

    def has_module_permission(self, request):
        return has_any_permission(request.user, SmartRouting, "view") or has_any_permission(
            request.user, SmartRouting, "change"
        )

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return user_can(request.user, "view", obj.routing) or user_can(
            request.user, "change", obj.routing
        )

    def has_add_permission(self, request):
        return has_any_permission(request.user, SmartRouting, "change")

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return has_any_permission(request.user, SmartRouting, "change")
        return user_can(request.user, "change", obj.routing)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.parent_id is None:
            return False  # the start goes only with its routing
        return self.has_change_permission(request, obj)


class ParentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.routing.name}: {obj.display_label} (#{obj.pk})"


@admin.register(Node)
class NodeAdmin(
    SmartLicenceAdminMixin,
    WritesThroughServicesMixin,
    RoutingRightsNodeAdminMixin,
    admin.ModelAdmin,
):
    form = NodeAdminForm
    list_display = (
        "__str__",
        "kind",
        "routing",
        "outcome",
        "parent",
        "checkpoint",
        "reference_code",
    )
    list_display_links = ("__str__",)
    list_filter = ("kind", "routing__channel")
    list_select_related = ("routing", "parent", "checkpoint")
    search_fields = (
        "label",
        "variable",
        "reference_code",
        "routing__name",
        "checkpoint__name",
        "checkpoint__reference",
    )
    autocomplete_fields = ("checkpoint",)
    ordering = ("routing__name", "routing_id", "id")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("parent", "outcome", *NODE_FIELDS)
        return ("routing", "parent", "outcome", *NODE_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        return ("routing", "parent") if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            changeable = restrict_to_permitted(
                request.user, "change", SmartRouting.objects.all()
            ).values("pk")
            return ParentChoiceField(
                queryset=Node.objects.filter(routing__in=changeable).select_related("routing"),
                required=False,
                label="Parent",
                help_text="The node this one hangs under; its routing is the parent's.",
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        save_node(obj)

    def delete_model(self, request, obj):
        services.delete_node(obj)

    def delete_queryset(self, request, queryset):
        for node in queryset.order_by("id"):
            # A parent deleted first takes its subtree with it; a start stays.
            if node.parent_id is not None and Node.objects.filter(pk=node.pk).exists():
                services.delete_node(node)
