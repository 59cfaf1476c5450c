from django.apps import AppConfig


class CheckpointsConfig(AppConfig):
    name = "checkpoints"
    verbose_name = "Toolbox: checkpoints"

    def ready(self) -> None:
        from checkpoint_maker import audit
        from checkpoint_maker.menu import MenuItem, register
        from checkpoints.models import Checkpoint

        register(
            MenuItem(
                "Toolbox",
                "Checkpoints",
                "checkpoints:checkpoint_list",
                "checkpoints.checkpoint",
                order=100,
            )
        )
        audit.register(
            audit.AuditedEntity(
                "checkpoint",
                "Checkpoint",
                Checkpoint,
                describe=lambda record: f"{record.name} ({record.reference})",
                history_url=audit.history_url("checkpoints:checkpoint_history"),
                licensed=True,
            )
        )
