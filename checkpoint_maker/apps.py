from django.apps import AppConfig


class CheckpointMakerConfig(AppConfig):
    name = "checkpoint_maker"
    verbose_name = "Checkpoint Maker"

    def ready(self) -> None:
        from checkpoint_maker import audit, role_history
        from checkpoint_maker.menu import MenuItem, register

        register(
            MenuItem(
                "Administration", "Roles", "roles:role_list", "auth.group", "change", order=900
            )
        )
        register(
            MenuItem(
                "Administration",
                "Audit log",
                "audit_log",
                "auth.group",
                "change",
                order=910,
                permission="auth.change_group",
            )
        )
        role_history.connect()
        self.register_audited(audit)

    @staticmethod
    def register_audited(audit) -> None:
        """Roles and per-object grants in the Audit log."""
        from django.contrib.auth.models import Group
        from guardian.models import GroupObjectPermission, UserObjectPermission

        def grant(record, holder) -> str:
            return f"{record.permission.codename} on #{record.object_pk} for {holder}"

        audit.register(audit.AuditedEntity("role", "Role", Group, describe=lambda r: r.name))
        audit.register(
            audit.AuditedEntity(
                "user_grant",
                "Grant to a user",
                UserObjectPermission,
                describe=lambda r: grant(r, r.user.get_username()),
                related=("permission", "user"),
            )
        )
        audit.register(
            audit.AuditedEntity(
                "group_grant",
                "Grant to a role",
                GroupObjectPermission,
                describe=lambda r: grant(r, r.group.name),
                related=("permission", "group"),
            )
        )
