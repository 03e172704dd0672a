"""Installation steps of 网上办事, run by ``zhengwu setup`` (each is idempotent)."""

from zhengwu.core.registry import setup_step


@setup_step(55, "好差评：差评回访核实、整改时限")
def load_rating_rules() -> str:
    from .services.ratings import load_rating_rules as load

    return f"{load()} 条规则有变化"
