from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhengwu.core"
    label = "core"
    verbose_name = "基础平台"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import audit_signals, checks, demo_core, setup_core, tasks  # noqa: F401  register checks, steps and tasks
        from .services.reorg import register_core_parts

        audit_signals.connect()
        register_core_parts()
