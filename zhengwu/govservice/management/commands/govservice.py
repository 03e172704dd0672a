"""``zhengwu govservice``: the earlier name of ``zhengwu services``, kept for scripts that use it."""

from .services import Command  # noqa: F401
