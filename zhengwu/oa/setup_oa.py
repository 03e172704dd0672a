"""Installation steps of 公文, run by ``zhengwu setup`` (each is idempotent)."""

from zhengwu.core.registry import setup_step


@setup_step(57, "公文：特急、加急公文各环节的办理时限")
def load_oa_rules() -> str:
    from .services.workflow import load_workflow_rules

    return f"{load_workflow_rules()} 条规则有变化"
