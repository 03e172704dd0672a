"""Installation steps of the catalogue, run by ``zhengwu setup`` (idempotent)."""

from zhengwu.core.registry import setup_step


@setup_step(60, "政务信息资源目录：资源分类（类、项）")
def load_classes() -> str:
    from .services.rules import load_classifications

    return f"资源分类 {load_classifications()} 条有变化"
