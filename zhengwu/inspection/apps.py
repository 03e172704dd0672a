from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "zhengwu.inspection"
    label = "inspection"
    verbose_name = "网站检查"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .checks import load_builtin_checks

        load_builtin_checks()  # the check registry: every check module registers itself on import
        from . import tasks  # noqa: F401  register background and periodic tasks
