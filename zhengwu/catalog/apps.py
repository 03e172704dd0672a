from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "zhengwu.catalog"
    label = "catalog"
    verbose_name = "政务信息资源目录"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import demo_catalog, setup_catalog, setup_sharing, sharing_tasks  # noqa: F401
        from .reorg import register as register_reorg_parts

        register_reorg_parts()  # 机构改革 hands the entries to the successor and flags them for review
