"""Installation steps of the mailboxes, run by ``zhengwu setup`` (each is idempotent)."""

from zhengwu.core.registry import setup_step


@setup_step(52, "书记县长信箱：时限、不予受理理由")
def load_mailbox_rules() -> str:
    from .services.mailbox import load_mailbox_rules as load

    return f"{load()} 条规则有变化"
