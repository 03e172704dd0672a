from django.apps import AppConfig


class OaConfig(AppConfig):
    name = "zhengwu.oa"
    label = "oa"
    verbose_name = "公文"
    default_auto_field = "django.db.models.BigAutoField"
