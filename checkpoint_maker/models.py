"""History of the rights: roles (Django groups: name, rights, members) and django-guardian's
per-object grants, recorded with django-simple-history (checkpoint_maker.role_history)."""

from django.contrib.auth.models import Group
from django.db import models
from guardian.models import GroupObjectPermission, UserObjectPermission
from simple_history import register

from checkpoint_maker.history import ServiceRecordedHistory


class RoleSnapshot(models.Model):
    """What a role's history record adds: its rights and members as they then were."""

    permissions = models.JSONField("Rights", default=list)
    members = models.JSONField("Members", default=list)

    class Meta:
        abstract = True


register(Group, app="checkpoint_maker", records_class=ServiceRecordedHistory, bases=[RoleSnapshot])
register(UserObjectPermission, app="checkpoint_maker")
register(GroupObjectPermission, app="checkpoint_maker")
