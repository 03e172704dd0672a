"""Installation steps of core, run by ``zhengwu setup`` (each is idempotent)."""

from .registry import setup_step

# The page tree's root (the admin's page explorer starts there) and the collections' root, as staff see them.
ROOT_PAGE_TITLE = "全部网站"
ROOT_COLLECTION_NAME = "全部文件"


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
        Page.add_root(instance=Page(title=ROOT_PAGE_TITLE, slug="root", live=True))
        made.append("页面树根")
    if Collection.get_first_root_node() is None:
        Collection.add_root(name=ROOT_COLLECTION_NAME)
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


# Wagtail's installation creates two groups with English names, holding page rights on the whole page tree, and a
# workflow and task named after them. They are renamed so that the role editor and the workflow list speak Chinese;
# a security administrator may remove them once the county's own roles are in use.
WAGTAIL_DEFAULT_NAMES = {
    "group": {"Editors": "全站编辑（系统默认组）", "Moderators": "全站审核（系统默认组）"},
    "workflow": {"Moderators approval": "全站审核（系统默认流程）"},
    "task": {"Moderators approval": "全站审核（系统默认步骤）"},
    "root page": {"Root": ROOT_PAGE_TITLE},
    "root collection": {"Root": ROOT_COLLECTION_NAME},
}


@setup_step(21, "系统默认组、流程和页面树根改用中文名称")
def rename_wagtail_defaults() -> str:
    from django.contrib.auth.models import Group
    from wagtail.models import Collection, Page, Task, Workflow

    renamed = []
    for kind, model in (("group", Group), ("workflow", Workflow), ("task", Task)):
        for english, chinese in WAGTAIL_DEFAULT_NAMES[kind].items():
            if model.objects.filter(name=chinese).exists():
                continue
            if model.objects.filter(name=english).update(name=chinese):
                renamed.append(chinese)
    # The roots are found by depth: only Wagtail's own English name is replaced, never a name chosen here.
    for english, chinese in WAGTAIL_DEFAULT_NAMES["root page"].items():
        if Page.objects.filter(depth=1, title=english).update(title=chinese, draft_title=chinese):
            renamed.append(chinese)
    for english, chinese in WAGTAIL_DEFAULT_NAMES["root collection"].items():
        if Collection.objects.filter(depth=1, name=english).update(name=chinese):
            renamed.append(chinese)
    return "已改名：" + "、".join(renamed) if renamed else "无需改名"
