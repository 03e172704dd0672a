"""Parse pages in a second process, so that parsing (most of the inspector's CPU) runs beside the crawl.

The crawl itself (HTTP, bookkeeping) and the checks stay in the main process; only :func:`extract.parse_page`, a pure
function of (html, url), moves. The worker is a plain child process (``python -m zhengwu.inspection.parse_worker``)
talking over its stdin and stdout in length-prefixed frames, read and written by the event loop without threads:

    request  = seq (u64) · length (u32) · pickle((url, html))
    response = seq (u64) · status (u8) · length (u32) · payload

It is started only once a site has shown itself large (``start_after`` pages parsed in-process, and, where the caller
tells the crawl's backlog, at least as many pages still waiting to be fetched), so small sites and the tests of single
pages never pay for a second interpreter (on a site of a few hundred pages the pages sent over would wait for the
worker to load its modules, and the crawl took longer with it than without), and only when a CPU is to spare: on a machine whose
other cores are busy, a second process only adds the cost of passing pages over (measured: the crawl took longer),
so the CPU left idle while those first pages were parsed decides (where it cannot be measured, no worker). Whatever goes wrong with the worker — it cannot
start, dies, or fails on a page — the page is parsed in-process instead, so the outcome is the same as without it.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import resource
import struct
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

from .extract import ListRow, ParsedPage, parse_page
from .urls import Link

_REQUEST = struct.Struct("<QI")
_RESPONSE = struct.Struct("<QBI")
OK, FAILED, STATS, READY, GONE = 0, 1, 2, 3, 4  # GONE: never sent, the worker ended
_SCALARS = tuple(f.name for f in fields(ParsedPage) if f.name not in ("links", "rows", "undated_rows"))


def encode_page(page: ParsedPage) -> bytes:
    """Plain tuples pickle and unpickle at about half the cost of the dataclasses."""
    return pickle.dumps(
        (
            tuple(getattr(page, name) for name in _SCALARS),
            [(link.url, link.text, link.tag) for link in page.links],
            [(row.url, row.text, row.date) for row in page.rows],
            [(row.url, row.text, row.date) for row in page.undated_rows],
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )


def decode_page(data: bytes) -> ParsedPage:
    scalars, links, rows, undated = pickle.loads(data)
    page = ParsedPage(**dict(zip(_SCALARS, scalars, strict=True)))
    page.links = [Link(*link) for link in links]
    page.rows = [ListRow(*row) for row in rows]
    page.undated_rows = [ListRow(*row) for row in undated]
    return page


def _cpu_quota() -> float | None:
    """A container's CPU limit, in CPUs (cgroup v2 ``cpu.max``, else v1); None when unlimited or unknown."""
    try:
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as limit:
            quota, period = limit.read().split()[:2]
    except (OSError, ValueError):
        try:
            with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", encoding="ascii") as limit:
                quota = limit.read().strip()
            with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us", encoding="ascii") as limit:
                period = limit.read().strip()
        except OSError:
            return None
    try:
        return None if quota in ("max", "-1") else int(quota) / int(period)
    except (ValueError, ZeroDivisionError):
        return None


def usable_cpus() -> int:
    """CPUs this process may run on: its affinity, capped by a container's CPU quota."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    quota = _cpu_quota()
    return cpus if quota is None else max(1, min(cpus, int(quota)))


def cpu_sample() -> tuple[int, int, int] | None:
    """(idle, total) clock ticks of all CPUs and their number, from /proc/stat; None where there is none."""
    try:
        with open("/proc/stat", "rb") as stat:
            lines = stat.read().split(b"\n")
    except OSError:
        return None
    values = [int(v) for v in lines[0].split()[1:9]]  # user nice system idle iowait irq softirq steal
    if len(values) < 5:
        return None
    cpus = sum(1 for line in lines[1:] if line.startswith(b"cpu"))
    return values[3] + values[4], sum(values), max(cpus, 1)


def spare_cpus(since: tuple[int, int, int] | None, min_ticks: int = 10) -> float | None:
    """How many CPUs stood idle, on average, since ``since``; None when it cannot be told."""
    now = cpu_sample()
    if since is None or now is None:
        return None
    idle, total = now[0] - since[0], now[1] - since[1]
    if total < min_ticks:
        return None
    return idle / total * now[2]


def _peak_rss_kb() -> int:
    """This process's peak RSS. VmHWM rather than ru_maxrss, which keeps the parent's size from before exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class ParseWorker:
    """The client side: ``await worker.parse(html, url)`` returns what ``parse_page(html, url)`` would."""

    def __init__(
        self,
        *,
        start_after: int = 200,
        enabled: bool | None = None,
        min_spare_cpus: float = 0.5,
        backlog: Callable[[], int] | None = None,
    ) -> None:
        """``enabled`` None: decide when ``start_after`` pages are parsed, by the CPU left idle meanwhile (at least
        ``min_spare_cpus``; never on one CPU, nor where idle time cannot be measured); True: start then whatever
        the load; False: never. ``backlog`` (the number of pages still waiting to be fetched), when given, holds
        the start back until at least ``start_after`` pages wait: fewer would not repay the worker's start-up."""
        self.start_after = start_after
        self.backlog = backlog
        self.enabled = usable_cpus() > 1 if enabled is None else enabled
        self.judge_load = enabled is None
        self.min_spare_cpus = min_spare_cpus
        self.spare_cpus: float | None = None
        self._since = cpu_sample()
        self.parsed_locally = 0
        self.parsed_remotely = 0
        self.max_rss_kb = 0  # the worker's peak, reported when it stops
        self._proc: asyncio.subprocess.Process | None = None
        self._starting: asyncio.Task | None = None
        self._reader: asyncio.Task | None = None
        self._ready = asyncio.Event()
        self._pending: dict[int, asyncio.Future] = {}
        self._seq = 0
        self._broken = False

    @property
    def running(self) -> bool:
        return self._proc is not None and not self._broken

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    async def parse(self, html: str, url: str) -> ParsedPage:
        if self.running:
            page = await self._remote(html, url)
            if page is not None:
                self.parsed_remotely += 1
                return page
        elif (
            self.enabled
            and self._starting is None
            and self.parsed_locally >= self.start_after
            and (self.backlog is None or self.backlog() >= self.start_after)
        ):
            if self.judge_load:
                self.spare_cpus = spare_cpus(self._since)
                if self.spare_cpus is None or self.spare_cpus < self.min_spare_cpus:
                    self.enabled = False  # no CPU known to be idle: a second process would only add work
            if self.enabled:
                self._starting = asyncio.create_task(self._spawn())
        self.parsed_locally += 1
        return parse_page(html, url)

    async def start(self, timeout: float = 30.0) -> bool:
        """Start the worker now and wait until it has loaded its modules; False if it could not be started."""
        if self._starting is None:
            self._starting = asyncio.create_task(self._spawn())
        await self._starting
        if self._proc is None:
            return False
        ready = asyncio.create_task(self._ready.wait())
        await asyncio.wait([ready, self._reader], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        return self.running and self._ready.is_set()

    async def _spawn(self) -> None:
        package_root = str(Path(__file__).resolve().parent.parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "zhengwu.inspection.parse_worker",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=env,
                limit=1 << 20,
            )
        except OSError:
            self._broken = True
            return
        self._proc = proc
        self._reader = asyncio.create_task(self._read(proc))

    async def _remote(self, html: str, url: str) -> ParsedPage | None:
        """The page parsed by the worker; None when the worker cannot give it (then it is parsed here)."""
        assert self._proc is not None and self._proc.stdin is not None
        self._seq += 1
        seq = self._seq
        future = asyncio.get_running_loop().create_future()
        self._pending[seq] = future
        payload = pickle.dumps((url, html), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self._proc.stdin.write(_REQUEST.pack(seq, len(payload)) + payload)
        except (ConnectionError, RuntimeError):
            self._fail()
        status, data = await future
        # FAILED: parse_page raised there; parsed here it raises (or not) just as it always did.
        return decode_page(data) if status == OK else None

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        stream = proc.stdout
        assert stream is not None
        try:
            while True:
                head = await stream.readexactly(_RESPONSE.size)
                seq, status, length = _RESPONSE.unpack(head)
                data = await stream.readexactly(length)
                if status == READY:
                    self._ready.set()
                elif status == STATS:
                    self.max_rss_kb = pickle.loads(data)["max_rss_kb"]
                else:
                    future = self._pending.pop(seq, None)
                    if future is not None and not future.done():
                        future.set_result((status, data))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._fail()

    def _fail(self) -> None:
        self._broken = True
        for future in self._pending.values():
            if not future.done():
                future.set_result((GONE, b""))
        self._pending.clear()

    async def close(self) -> None:
        if self._starting is not None:
            await self._starting
        proc = self._proc
        if proc is None:
            return
        if proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.close()  # end of input: the worker reports its figures and exits
        try:
            if self._reader is not None:
                await asyncio.wait_for(self._reader, timeout=10)
            await asyncio.wait_for(proc.wait(), timeout=10)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        finally:
            self._broken = True


def main() -> None:
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    try:
        sink.write(_RESPONSE.pack(0, READY, 0))
        sink.flush()
        while True:
            head = source.read(_REQUEST.size)
            if len(head) < _REQUEST.size:
                break
            seq, length = _REQUEST.unpack(head)
            url, html = pickle.loads(source.read(length))
            try:
                status, data = OK, encode_page(parse_page(html, url))
            except Exception:  # the main process parses the page again and meets the error itself
                status, data = FAILED, b""
            sink.write(_RESPONSE.pack(seq, status, len(data)) + data)
            sink.flush()
        data = pickle.dumps({"max_rss_kb": _peak_rss_kb()})
        sink.write(_RESPONSE.pack(0, STATS, len(data)) + data)
        sink.flush()
    except BrokenPipeError:
        # The main process is gone: nothing to report to. Keep the interpreter from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":
    main()
