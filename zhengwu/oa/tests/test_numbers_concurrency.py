"""The 发文字号 allocator (workflow.allocate_serial) under concurrent registrations (issue 11 “Done when”: 8 threads ×
200 allocations on PostgreSQL, no gap, no duplicate; oa.md §2: per 代字 per year, sequential, gap-free, from the
database inside the transaction).

SQLite serialises writers on the whole file, so concurrent writers only measure its lock timeout: there the threaded
test is skipped and a single-threaded run with rollbacks checks the same invariants."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from zhengwu.oa.models import NumberSequence
from zhengwu.oa.services.workflow import allocate_serial

THREADS, PER_THREAD = 8, 200
CODE, YEAR = "青教", 2026

requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="需要 PostgreSQL：SQLite 对整个数据库文件加写锁，多线程并发分配只能在 PostgreSQL 上验证"
    "（设置 DATABASE_URL=postgres://… 后运行）；SQLite 上运行下面的单线程版本",
)


class _Rollback(Exception):
    pass


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_threads_two_hundred_allocations_each_no_gap_no_duplicate():
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            done = 0
            attempt = 0
            while done < PER_THREAD:
                attempt += 1
                try:
                    with transaction.atomic():
                        serial = allocate_serial(CODE, YEAR)
                        if attempt % 13 == index % 13:
                            raise _Rollback  # a registration that fails after taking its number
                except _Rollback:
                    continue
                with lock:
                    results.append(serial)
                done += 1
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(results) == THREADS * PER_THREAD == 1600
    assert len(set(results)) == 1600  # no duplicate
    assert sorted(results) == list(range(1, 1601))  # no gap
    assert NumberSequence.objects.get(code=CODE, year=YEAR).last_serial == 1600
    assert not NumberSequence.objects.exclude(code=CODE, year=YEAR).exists()


@pytest.mark.django_db(transaction=True)
def test_single_thread_allocations_with_rollbacks_no_gap_no_duplicate():
    results = []
    for attempt in range(1, 301):
        try:
            with transaction.atomic():
                serial = allocate_serial(CODE, YEAR)
                if attempt % 7 == 0:
                    raise _Rollback
        except _Rollback:
            continue
        results.append(serial)
    assert results == list(range(1, len(results) + 1))
    assert len(results) == 300 - 300 // 7
    assert NumberSequence.objects.get(code=CODE, year=YEAR).last_serial == len(results)
    # another 代字 and another year keep their own sequences
    with transaction.atomic():
        assert allocate_serial("青卫", YEAR) == 1
        assert allocate_serial(CODE, YEAR + 1) == 1
    # outside a transaction nothing is allocated
    with pytest.raises(transaction.TransactionManagementError):
        allocate_serial(CODE, YEAR)
    assert NumberSequence.objects.get(code=CODE, year=YEAR).last_serial == len(results)
