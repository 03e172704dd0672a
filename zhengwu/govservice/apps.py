from django.apps import AppConfig


class GovServiceConfig(AppConfig):
    # Not "services": every app already has a services/ package of writes; the label avoids the clash.
    name = "zhengwu.govservice"
    label = "govservice"
    verbose_name = "网上办事"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import dashboard, demo_govservice, tasks  # noqa: F401
