"""Installation steps of the hotline, run by ``zhengwu setup`` (each is idempotent)."""

from zhengwu.core.registry import setup_step


@setup_step(50, "12345热线：签收、办理时限")
def load_limits() -> str:
    from .services.rules import load_hotline_limits

    return f"{load_hotline_limits()} 条时限规则有变化"


@setup_step(51, "12345热线：诉求分类")
def load_categories() -> str:
    from .services.rules import load_categories as load

    return f"新增诉求分类 {load()} 个"
