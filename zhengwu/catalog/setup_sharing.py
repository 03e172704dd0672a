"""Installation step of 共享申请, run by ``zhengwu setup`` (idempotent)."""

from zhengwu.core.registry import setup_step


@setup_step(61, "政务信息资源目录：共享申请答复时限")
def load_sharing_limits() -> str:
    from .services.sharing import load_sharing_clock_policies

    return f"{load_sharing_clock_policies()} 条时限规则有变化"
