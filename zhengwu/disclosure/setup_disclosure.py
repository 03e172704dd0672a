"""Installation steps of the disclosure app, run by ``zhengwu setup`` (each is idempotent)."""

from zhengwu.core.registry import setup_step


@setup_step(40, "政府信息公开：主题分类、体裁分类、标准目录领域")
def load_classifications() -> str:
    from .services.rules import load_classifications as load

    written = load()
    return f"主题分类 {written['themes']}，体裁分类 {written['genres']}，标准目录领域 {written['standard_areas']} 条有变化"


@setup_step(41, "政府信息公开：办理时限规则")
def load_clock_policies() -> str:
    from .services.rules import load_disclosure_clock_policies

    return f"{load_disclosure_clock_policies()} 条时限规则有变化"
