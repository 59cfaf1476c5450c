"""Django admin for interactions: same rights as the Maker, writes through the services.

Attached checkpoints are history: the inline shows them read-only (they are attached by the
routing runtime through ``interactions.services.attach_checkpoint``, never typed in). The tag
list can be corrected by those who may change the interaction. Closing goes through
``services.close_interaction`` (the admin action), so status and end time stay consistent.
"""

from django.contrib import admin, messages
from django.db.models import Count

from checkpoint_maker.admin import GuardedObjectPermissionAdminMixin, adopt_saved
from checkpoint_maker.permissions import has_any_permission, permitted_ids, user_can
from interactions import services
from interactions.models import Interaction, InteractionCheckpoint, InteractionTag

CREATE_FIELDS = ("channel", "customer", "subject", "variables", "started_at")


class InteractionRightsInlineMixin:
    """An inline follows the rights on its interaction: role-wide or on that interaction, and
    without an interaction (the admin asks so before filtering the rows) on at least one, like
    ``ObjectPermissionAdminMixin``. The rows are always those of the interaction shown, whose
    page already checked the right on it."""

    def _can(self, request, action: str, obj) -> bool:
        if obj is None:
            return has_any_permission(request.user, Interaction, action)
        return user_can(request.user, action, obj)

    def has_view_permission(self, request, obj=None):
        return self._can(request, "view", obj) or self._can(request, "change", obj)


class AttachedCheckpointInline(InteractionRightsInlineMixin, admin.TabularInline):
    """The interaction's journey, oldest first, as recorded: nobody adds, edits or removes it."""

    model = InteractionCheckpoint
    verbose_name = "attached checkpoint"
    verbose_name_plural = "attached checkpoints (read-only history)"
    fields = (
        "attached_at",
        "name",
        "reference",
        "alias",
        "checkpoint",
        "routing_name",
        "action_label",
    )
    readonly_fields = fields
    ordering = ("attached_at", "id")
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("checkpoint")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TagInline(InteractionRightsInlineMixin, admin.TabularInline):
    """The tag list, in the order tags were added; editable by those who may change it."""

    model = InteractionTag
    fields = ("name",)
    ordering = ("id",)
    extra = 0

    def has_add_permission(self, request, obj=None):
        return self._can(request, "change", obj)

    def has_change_permission(self, request, obj=None):
        return self._can(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._can(request, "change", obj)


@admin.register(Interaction)
class InteractionAdmin(GuardedObjectPermissionAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "started_at",
        "channel",
        "status",
        "customer",
        "subject",
        "checkpoint_count",
    )
    list_display_links = ("id", "started_at")
    list_filter = ("channel", "status")
    search_fields = ("customer", "subject")
    date_hierarchy = "started_at"
    ordering = ("-started_at", "-id")
    readonly_fields = ("status", "ended_at")
    inlines = (AttachedCheckpointInline, TagInline)
    actions = ("close_selected",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return CREATE_FIELDS
        return ("channel", "status", "started_at", "ended_at", "customer", "subject", "variables")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(_checkpoint_count=Count("attached_checkpoints"))
        )

    @admin.display(description="checkpoints", ordering="_checkpoint_count")
    def checkpoint_count(self, obj) -> int:
        return obj._checkpoint_count

    def get_inline_instances(self, request, obj=None):
        # A new interaction has no journey yet: the inlines show on its change page.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        # An interaction keeps the channel it came in on: its attached rows recorded it.
        return self.readonly_fields if obj is None else ("channel", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if change:
            services.save_interaction(obj, previous_started_at=form.initial.get("started_at"))
            return
        created = services.create_interaction(
            **{field: form.cleaned_data.get(field) for field in CREATE_FIELDS}
        )
        adopt_saved(obj, created)

    @admin.action(description="Close selected interactions", permissions=["change"])
    def close_selected(self, request, queryset):
        selected = list(queryset)
        allowed = permitted_ids(request.user, "change", selected)
        closed = 0
        for interaction in selected:
            if interaction.pk in allowed and interaction.is_live:
                services.close_interaction(interaction)
                closed += 1
        refused = len(selected) - len(allowed)
        if closed:
            self.message_user(
                request,
                f"{closed} interaction{'s' if closed != 1 else ''} closed.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, "No ongoing interaction to close.", messages.INFO)
        if refused:
            self.message_user(
                request,
                f"{refused} interaction{'s' if refused != 1 else ''} left as they were: "
                "you do not have the right to change them.",
                messages.WARNING,
            )
