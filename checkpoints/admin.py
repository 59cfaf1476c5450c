"""Django admin for checkpoints: same rules as the Maker, writes through the services.

Field rules come from the model's validators (ModelForm); saving and deleting go through
``checkpoints.services`` so trimming, the uniqueness race and later deletion rules apply here
too. Rights may be role-wide or per object (django-guardian), and the module is hidden while
the Smart licence is off (the licence middleware answers 403 on its URLs). Its History
view is simple-history's (Revert is off: writes go through the services).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from checkpoint_maker.admin import (
    GuardedObjectPermissionAdminMixin,
    WritesThroughServicesMixin,
    adopt_saved,
)
from checkpoint_maker.licence import SmartLicenceAdminMixin
from checkpoints import services
from checkpoints.models import Checkpoint

EDITABLE_FIELDS = ("name", "reference", "alias")


class HasAliasFilter(admin.SimpleListFilter):
    title = "has alias"
    parameter_name = "has_alias"

    def lookups(self, request, model_admin):
        return (("yes", "Yes"), ("no", "No"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(alias="")
        if self.value() == "no":
            return queryset.filter(alias="")
        return queryset


@admin.register(Checkpoint)
class CheckpointAdmin(
    SmartLicenceAdminMixin,
    WritesThroughServicesMixin,
    GuardedObjectPermissionAdminMixin,
    SimpleHistoryAdmin,
):
    list_display = ("name", "reference", "alias", "updated_at")
    list_display_links = ("name",)
    search_fields = ("name", "reference")
    list_filter = (HasAliasFilter, "created_at")
    date_hierarchy = "created_at"
    ordering = ("name", "id")
    fields = (*EDITABLE_FIELDS, "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        values = {field: form.cleaned_data[field] for field in EDITABLE_FIELDS}
        if change:
            services.update_checkpoint(obj, **values)
            return
        adopt_saved(obj, services.create_checkpoint(**values))

    def delete_model(self, request, obj):
        services.delete_checkpoint(obj)

    def delete_queryset(self, request, queryset):
        services.bulk_delete_checkpoints(
            user=request.user, ids=list(queryset.values_list("pk", flat=True))
        )
