"""受理编号 and 查询码: format, check character, sequence under rollback and concurrency, public look-up."""

from __future__ import annotations

import random
import re
import threading
import uuid
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import F
from django.test import RequestFactory

from zhengwu.core.models import AuditLog, Notification, NumberSequence
from zhengwu.core.services import numbering
from zhengwu.core.services.numbering import (
    CHECK_ALPHABET,
    MSG_MALFORMED,
    MSG_MISMATCH,
    QUERY_CODE_ALPHABET,
    CaseLookupError,
    check_character,
    check_character_ok,
    check_query_code,
    issue_query_code,
    issue_tracking_number,
    lookup_case,
    normalize_tracking_number,
    tracking_number_date,
    tracking_prefix,
    validate_tracking_number,
)

DAY = date(2025, 5, 14)
DATA_ALPHABET = CHECK_ALPHABET[:36]

requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="需要 PostgreSQL：并发行锁只能在真实的多连接数据库上验证（设置 DATABASE_URL=postgres://… 后运行）",
)


def issue(prefix: str = "YSQ", on: date = DAY) -> str:
    with transaction.atomic():
        return issue_tracking_number(prefix=prefix, on=on)


# ---------------------------------------------------------------------------------------------------------------
# Tracking numbers
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_number_format_and_daily_sequence():
    first, second = issue(), issue()
    assert re.fullmatch(r"YSQ202505140001[0-9A-Z*]", first)
    assert second[:-1] == "YSQ202505140002"
    assert validate_tracking_number(first) and validate_tracking_number(second)
    assert tracking_number_date(first) == DAY
    # Another prefix and another day have their own sequences.
    assert issue(prefix="XF")[:-1] == "XF202505140001"
    assert issue(on=date(2025, 5, 15))[:-1] == "YSQ202505150001"
    assert issue()[:-1] == "YSQ202505140003"
    assert NumberSequence.objects.get(prefix="YSQ", period="20250514").last_value == 3


@pytest.mark.django_db
def test_sequence_grows_past_four_digits():
    NumberSequence.objects.create(prefix="GD", period="20250514", last_value=9998)
    assert issue(prefix="GD")[:-1] == "GD202505149999"
    big = issue(prefix="GD")
    assert big[:-1] == "GD2025051410000"
    assert validate_tracking_number(big)


@pytest.mark.django_db
def test_rollback_gives_the_number_back():
    issued = issue()
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = issue_tracking_number(prefix="YSQ", on=DAY)
        raise RuntimeError("保存案件失败")
    again = issue()
    assert lost[:-1] == "YSQ202505140002"
    assert again == lost  # no gap: the rolled-back number is issued again
    assert issued != again


@pytest.mark.django_db(transaction=True)
def test_refuses_to_issue_outside_a_transaction():
    with pytest.raises(transaction.TransactionManagementError, match="同一数据库事务"):
        issue_tracking_number(prefix="YSQ", on=DAY)
    assert not NumberSequence.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "ysq", "Y1", "ABCDEFGHIJK", "受理"])
def test_prefix_must_be_upper_case_letters(prefix):
    with pytest.raises(ValueError, match="大写英文字母"):
        issue(prefix=prefix)


def test_prefix_per_kind_is_configurable(settings):
    assert tracking_prefix("disclosure_request", default="YSQ") == "YSQ"
    settings.ZHENGWU_TRACKING_PREFIXES = {"disclosure_request": "GKSQ"}
    assert tracking_prefix("disclosure_request", default="YSQ") == "GKSQ"
    settings.ZHENGWU_TRACKING_PREFIXES = {"disclosure_request": "gk-1"}
    with pytest.raises(ImproperlyConfigured):
        tracking_prefix("disclosure_request", default="YSQ")


def _sample_numbers(count: int = 60) -> list[str]:
    rng = random.Random(20250514)
    numbers = []
    for _ in range(count):
        prefix = "".join(rng.choice(DATA_ALPHABET[10:]) for _ in range(rng.randint(1, 5)))
        body = f"{prefix}{rng.randint(2000, 2099)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1, 99999):04d}"
        numbers.append(body + check_character(body))
    # Make sure the rare check character '*' is among the samples.
    for seq in range(1, 400):
        body = f"YSQ20250514{seq:04d}"
        if check_character(body) == "*":
            numbers.append(body + "*")
            break
    return numbers


def test_check_character_catches_every_single_substitution():
    numbers = _sample_numbers()
    assert any(n.endswith("*") for n in numbers)
    for number in numbers:
        assert check_character_ok(number)
        for i, original in enumerate(number):
            for replacement in CHECK_ALPHABET:
                if replacement != original:
                    altered = number[:i] + replacement + number[i + 1 :]
                    assert not check_character_ok(altered), (number, altered)


def test_check_character_catches_every_adjacent_transposition():
    for number in _sample_numbers():
        for i in range(len(number) - 1):
            if number[i] != number[i + 1]:
                swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
                assert not check_character_ok(swapped), (number, swapped)


def test_check_character_catches_every_adjacent_transposition_exhaustively():
    # Every pair of distinct characters in every position state of the MOD 37-2 recursion.
    for state in range(37):
        for a in range(36):
            for b in range(36):
                if a != b:
                    ab = (((state + a) * 2 % 37) + b) * 2 % 37
                    ba = (((state + b) * 2 % 37) + a) * 2 % 37
                    assert ab != ba


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        12345,
        "YSQ20250514000",  # sequence too short
        "YSQ202502300001",  # 30 February
        "ysq202505140001",  # not canonical
        "YSQ20250514 0001",
        "20250514000123",  # no prefix
    ],
)
def test_validate_rejects_malformed(value):
    assert validate_tracking_number(value) is False


@pytest.mark.django_db
def test_validate_rejects_a_wrong_check_character():
    number = issue()
    wrong = number[:-1] + ("A" if number[-1] != "A" else "B")
    assert validate_tracking_number(number)
    assert not validate_tracking_number(wrong)


def test_normalize_tracking_number():
    assert normalize_tracking_number("  ｙｓｑ２０２５０５１４-０００１ｋ ") == "YSQ202505140001K"
    assert normalize_tracking_number("ysq 2025 0514 0001 ＊") == "YSQ202505140001*"


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issue_on_postgres_is_unique_and_gapless():
    threads_count, per_thread = 8, 200
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads_count)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            issued = 0
            attempt = 0
            while issued < per_thread:
                attempt += 1
                try:
                    with transaction.atomic():
                        number = issue_tracking_number(prefix="BF", on=DAY)
                        if attempt % 17 == index % 17:
                            raise _Rollback  # a case that fails to save: its number must come back
                except _Rollback:
                    continue
                with lock:
                    results.append(number)
                issued += 1
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(results) == threads_count * per_thread == 1600
    assert len(set(results)) == 1600
    assert all(validate_tracking_number(n) for n in results)
    assert sorted(int(n[10:-1]) for n in results) == list(range(1, 1601))
    assert NumberSequence.objects.get(prefix="BF", period="20250514").last_value == 1600


class _Rollback(Exception):
    pass


# ---------------------------------------------------------------------------------------------------------------
# Query codes
# ---------------------------------------------------------------------------------------------------------------


def test_query_code_alphabet_and_hash():
    assert not set("0O1IL") & set(QUERY_CODE_ALPHABET)
    codes = set()
    for _ in range(500):
        code, stored = issue_query_code()
        assert re.fullmatch(f"[{QUERY_CODE_ALPHABET}]{{8}}", code)
        assert re.fullmatch(r"[0-9a-f]{64}", stored) and code not in stored
        assert check_query_code(code, stored)
        codes.add(code)
    assert len(codes) == 500


def test_query_code_check_normalizes_and_rejects():
    code, stored = issue_query_code()
    spaced = " ".join([code[:4].lower(), code[4:]])
    assert check_query_code(spaced, stored)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert check_query_code(full_width, stored)
    other = code[:-1] + ("2" if code[-1] != "2" else "3")
    assert not check_query_code(other, stored)
    assert not check_query_code("", stored)
    assert not check_query_code(code, "")
    assert not check_query_code(code + "2", stored)


def test_query_code_hash_is_keyed_and_survives_rotation(settings):
    code, stored = issue_query_code()
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-for-the-rotation-test-0123456789"
    assert not check_query_code(code, stored)
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert check_query_code(code, stored)


# ---------------------------------------------------------------------------------------------------------------
# Public look-up
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture
def cases(db):
    """Cases stand in as Notification rows; the look-up reads the two fields through annotations."""
    made = {}
    for _ in range(2):
        number = issue(prefix="XF")
        code, stored = issue_query_code()
        made[number] = (code, Notification.objects.create(title=number, link=stored))
    queryset = Notification.objects.annotate(tracking_number=F("title"), query_code_hash=F("link"))
    return queryset, made


@pytest.fixture(params=["database", "redis"])
def shared_cache(request, settings):
    if request.param == "redis":
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            pytest.skip("Redis 未运行（127.0.0.1:6379）")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379/0",
                "KEY_PREFIX": f"zhengwu-test-{uuid.uuid4().hex}",
            }
        }
    settings.ZHENGWU_LOOKUP_FAILURE_LIMIT = 3
    settings.ZHENGWU_LOOKUP_FAILURE_WINDOW = 600
    return request.param


def _request(ip: str = "203.0.113.7", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/cha/", **extra)


def test_lookup_finds_the_case_with_sloppy_input(cases, shared_cache):
    queryset, made = cases
    number, (code, case) = next(iter(made.items()))
    typed_number = " " + "".join(chr(ord(c) + 0xFEE0) for c in number.lower()) + " "
    found = lookup_case(
        queryset=queryset, tracking_number=typed_number, query_code=code.lower(), request=_request()
    )
    assert found.pk == case.pk


def test_lookup_messages(cases, shared_cache):
    queryset, made = cases
    (number_a, (code_a, _)), (_, (code_b, _)) = list(made.items())
    with pytest.raises(CaseLookupError) as malformed:
        bad_check = number_a[:-1] + ("Q" if number_a[-1] != "Q" else "R")
        lookup_case(
            queryset=queryset, tracking_number=bad_check, query_code=code_a, request=_request("198.51.100.1")
        )
    assert malformed.value.messages == [MSG_MALFORMED] and malformed.value.code == "malformed"
    # Wrong code for a real number, and a well-formed number nobody holds: the same answer.
    with pytest.raises(CaseLookupError) as wrong_code:
        lookup_case(
            queryset=queryset, tracking_number=number_a, query_code=code_b, request=_request("198.51.100.2")
        )
    unknown_body = "XF202505140099"
    unknown = unknown_body + check_character(unknown_body)
    with pytest.raises(CaseLookupError) as wrong_number:
        lookup_case(
            queryset=queryset, tracking_number=unknown, query_code=code_a, request=_request("198.51.100.3")
        )
    assert wrong_code.value.messages == wrong_number.value.messages == [MSG_MISMATCH]
    assert wrong_code.value.code == wrong_number.value.code == "mismatch"


def test_lookup_rate_limits_failures_per_address(cases, shared_cache):
    queryset, made = cases
    number, (code, case) = next(iter(made.items()))
    attacker = _request("192.0.2.50")
    for _ in range(2):
        with pytest.raises(CaseLookupError) as exc:
            lookup_case(queryset=queryset, tracking_number=number, query_code="ABCDEFGH", request=attacker)
        assert exc.value.code == "mismatch"
    with pytest.raises(CaseLookupError) as exc:
        lookup_case(queryset=queryset, tracking_number=number, query_code="ABCDEFGH", request=attacker)
    assert exc.value.code == "rate_limited"
    assert re.fullmatch(r"查询失败次数过多，请 \d+ 分钟后再试。", exc.value.messages[0])
    # Even the right pair is refused from that address now; another address is unaffected.
    with pytest.raises(CaseLookupError) as exc:
        lookup_case(queryset=queryset, tracking_number=number, query_code=code, request=attacker)
    assert exc.value.code == "rate_limited"
    assert (
        lookup_case(
            queryset=queryset, tracking_number=number, query_code=code, request=_request("192.0.2.51")
        )
        == case
    )
    assert numbering.lookup_failures(attacker) == 3
    limited = AuditLog.objects.filter(action="core.case_lookup.rate_limited")
    assert limited.count() == 1 and limited.get().ip_address == "192.0.2.50"


def test_lookup_counts_the_forwarded_client_behind_the_local_proxy(cases, shared_cache, settings):
    settings.ZHENGWU_PROXY_HEADER = "X-Forwarded-For"  # the layout behind a proxy that appends this header
    queryset, made = cases
    number, (code, case) = next(iter(made.items()))
    for _ in range(3):
        with pytest.raises(CaseLookupError):
            lookup_case(
                queryset=queryset,
                tracking_number=number,
                query_code="ABCDEFGH",
                request=_request("127.0.0.1", forwarded="192.0.2.60"),
            )
    # Another visitor behind the same nginx is not locked out with them.
    assert (
        lookup_case(
            queryset=queryset,
            tracking_number=number,
            query_code=code,
            request=_request("127.0.0.1", forwarded="192.0.2.61"),
        )
        == case
    )
    # A client that is not our proxy cannot pick its address by sending the header itself.
    spoofing = _request("192.0.2.60", forwarded="192.0.2.99")
    with pytest.raises(CaseLookupError) as exc:
        lookup_case(queryset=queryset, tracking_number=number, query_code=code, request=spoofing)
    assert exc.value.code == "rate_limited"


def test_ipv6_clients_are_counted_per_64_prefix(cases, shared_cache):
    queryset, made = cases
    number, (code, _) = next(iter(made.items()))
    for suffix in ("1", "2", "3"):
        with pytest.raises(CaseLookupError):
            lookup_case(
                queryset=queryset,
                tracking_number=number,
                query_code="ABCDEFGH",
                request=_request(f"2001:db8:1:2::{suffix}"),
            )
    with pytest.raises(CaseLookupError) as exc:
        lookup_case(
            queryset=queryset, tracking_number=number, query_code=code, request=_request("2001:db8:1:2::ffff")
        )
    assert exc.value.code == "rate_limited"
