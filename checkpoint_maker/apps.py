from django.apps import AppConfig


class CheckpointMakerConfig(AppConfig):
    name = "checkpoint_maker"
    verbose_name = "Checkpoint Maker"

    def ready(self) -> None:
        from checkpoint_maker.menu import MenuItem, register

        register(
            MenuItem(
                "Administration", "Roles", "roles:role_list", "auth.group", "change", order=900
            )
        )
