from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "zhengwu.inspection"
    label = "inspection"
    verbose_name = "网站检查"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .checks import load_builtin_checks

        load_builtin_checks()  # the check registry: every check module registers itself on import
        from . import demo_inspection, tasks  # noqa: F401  register the demo step, background and periodic tasks
        from .reorg import register as register_reorg_parts

        register_reorg_parts()  # 机构改革 hands the registered sites and open rectifications to the successor
