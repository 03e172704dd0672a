"""Installation steps of core, run by ``zhengwu setup`` (each is idempotent)."""

from .registry import setup_step


@setup_step(5, "Wagtail 基础数据（默认语言、页面树根、文档与图片集合根）")
def wagtail_base_rows() -> str:
    """Wagtail's migrations create these rows; a database emptied by hand (``flush``) or restored without them
    would otherwise fail later with errors far from the cause. Put back whatever is missing."""
    from django.conf import settings
    from wagtail.models import Collection, Locale, Page

    made = []
    if not Locale.objects.exists():
        Locale.objects.create(language_code=settings.LANGUAGE_CODE)
        made.append("默认语言")
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", live=True))
        made.append("页面树根")
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
        made.append("集合根")
    return "已补建" + "、".join(made) if made else "完整"


@setup_step(10, "工作日历（chinese-calendar 数据）")
def seed_calendar() -> str:
    from .services.calendar import seed_calendar_from_package

    result = seed_calendar_from_package()
    return f"新增 {len(result.years_created)} 个年度，更新 {len(result.years_updated)} 个年度"


@setup_step(20, "角色与权限")
def sync_roles() -> str:
    from .services.staff import sync_roles as sync

    sync()
    return ""
