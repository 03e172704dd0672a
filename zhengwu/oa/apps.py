from django.apps import AppConfig


class OaConfig(AppConfig):
    name = "zhengwu.oa"
    label = "oa"
    verbose_name = "公文"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import dashboard, demo_oa, setup_oa, tasks  # noqa: F401
