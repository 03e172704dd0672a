"""Progress of running inspections: on a terminal for ``zhengwu inspect``, in the database for scheduled runs."""

from __future__ import annotations

import logging
import threading
from typing import Any, TextIO

from .engine import Progress

logger = logging.getLogger(__name__)


def progress_line(p: Progress) -> str:
    state = "完成" if p.done else "检查中"
    return (
        f"{state} {p.url}  已抓取 {p.pages} 页｜请求 {p.requests}｜队列 {p.queued}｜错误 {p.errors}｜"
        f"{p.rate:.1f} 页/秒｜{p.elapsed:.0f} 秒"
    )


class TerminalProgress:
    """Redraws one line per site in place (ANSI cursor movement), in the order the sites were given."""

    def __init__(self, stream: TextIO, urls: list[str]) -> None:
        self.stream = stream
        self.order = list(urls)
        self.latest: dict[str, Progress] = {}
        self.drawn = 0
        self.lock = threading.Lock()

    def __call__(self, progress: Progress) -> None:
        with self.lock:
            self.latest[progress.url] = progress
            lines = [progress_line(self.latest[u]) for u in self.order if u in self.latest]
            parts = [f"\x1b[{self.drawn}F"] if self.drawn else []
            parts.extend(f"\x1b[2K{line}\n" for line in lines)
            self.stream.write("".join(parts))
            self.stream.flush()
            self.drawn = len(lines)


class RunProgress:
    """Stores the latest figures on an InspectionRun row (``progress``), so that the admin shows how far a
    scheduled or manual run has got. Runs in the engine's worker thread; a failed write is logged and never
    stops the inspection."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id

    def __call__(self, progress: Progress) -> None:
        from django.db import connection

        from .models import InspectionRun

        try:
            InspectionRun.objects.filter(pk=self.run_id).update(progress=progress.as_json())
        except Exception:  # progress is a convenience: the run itself must go on
            logger.warning("无法记录检查进度（检查 %s）", self.run_id, exc_info=True)
        finally:
            connection.close()  # this worker thread's own connection


def progress_summary(data: dict[str, Any]) -> str:
    """The admin's one-line reading of a stored progress snapshot."""
    if not data:
        return ""
    return (
        f"已抓取 {data.get('pages', 0)} 页，队列 {data.get('queued', 0)}，错误 {data.get('errors', 0)}，"
        f"{data.get('rate', 0)} 页/秒，已用 {data.get('elapsed', 0)} 秒"
    )
