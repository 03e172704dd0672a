"""Installation steps of core, run by ``zhengwu setup`` (each is idempotent)."""

from .registry import setup_step


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
