"""受理编号 and 查询码: the numbers a member of the public is given for a case, and the public look-up by them.

A tracking number reads ``<prefix><YYYYMMDD><daily sequence><check character>``, e.g. ``YSQ202505140007`` + ``V``:

- the prefix is 1–10 upper-case letters chosen per kind of case (:func:`tracking_prefix`);
- the daily sequence is zero-padded to four digits and simply grows a digit on a day with more than 9,999 cases;
- the check character is ISO/IEC 7064 MOD 37-2 (pure system, modulus 37, radix 2) over every preceding character.
  Because 37 is prime and every character value is below 37, it detects every single-character substitution and
  every transposition of two adjacent characters (including the check character itself). The hybrid MOD 37,36
  system was not used: it misses some adjacent transpositions such as ``…01…`` ↔ ``…10…``. The price of MOD 37-2
  is that one number in 37 ends in ``*``.

Numbers come from a :class:`~zhengwu.core.models.NumberSequence` row locked with ``SELECT … FOR UPDATE`` inside the
caller's transaction: a rollback gives the number back, so numbers are neither skipped nor repeated, across any
number of worker processes.

A query code is eight characters from an alphabet without look-alikes (no 0/O/1/I/L). Only a keyed hash (HMAC with
the ``SECRET_KEY``) is stored, so a copy of the database does not reveal the codes.
"""

from __future__ import annotations

import math
import re
import secrets
import time
import unicodedata
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from .. import ratelimit
from ..client_address import client_subject
from ..models import NumberSequence
from .audit import audit

# ---------------------------------------------------------------------------------------------------------------
# Check character: ISO/IEC 7064 MOD 37-2
# ---------------------------------------------------------------------------------------------------------------

CHECK_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
_CHECK_VALUES = {ch: i for i, ch in enumerate(CHECK_ALPHABET)}
_MODULUS = 37
_RADIX = 2


def check_character(body: str) -> str:
    """The ISO/IEC 7064 MOD 37-2 check character for ``body`` (digits and upper-case letters)."""
    p = 0
    for ch in body:
        value = _CHECK_VALUES.get(ch)
        if value is None or value == 36:
            raise ValueError(f"受理编号只能包含数字和大写字母：{body!r}")
        p = ((p + value) * _RADIX) % _MODULUS
    return CHECK_ALPHABET[(_MODULUS + 1 - p) % _MODULUS]


def check_character_ok(number: str) -> bool:
    """Whether the last character of ``number`` is the MOD 37-2 check character of the ones before it."""
    p = 0
    for ch in number:
        value = _CHECK_VALUES.get(ch)
        if value is None:
            return False
        p = ((p + value) * _RADIX) % _MODULUS
    # Processing the check character as well leaves 1 for a valid number (the pure system's invariant).
    return p == _RADIX % _MODULUS


# ---------------------------------------------------------------------------------------------------------------
# Tracking numbers
# ---------------------------------------------------------------------------------------------------------------

PREFIX_RE = re.compile(r"^[A-Z]{1,10}$")
TRACKING_NUMBER_RE = re.compile(
    r"^(?P<prefix>[A-Z]{1,10})(?P<date>\d{8})(?P<seq>\d{4,9})(?P<check>[0-9A-Z*])$"
)
SEQUENCE_WIDTH = 4


def tracking_prefix(kind: str, *, default: str) -> str:
    """The prefix for one kind of case: ``settings.ZHENGWU_TRACKING_PREFIXES[kind]`` if a county set one, else
    ``default`` (the app's own choice, e.g. ``"YSQ"`` for 依申请公开)."""
    configured = getattr(settings, "ZHENGWU_TRACKING_PREFIXES", {}) or {}
    prefix = configured.get(kind, default)
    if not PREFIX_RE.match(prefix or ""):
        raise ImproperlyConfigured(f"受理编号前缀“{prefix}”（{kind}）须为 1 至 10 个大写英文字母。")
    return prefix


def issue_tracking_number(*, prefix: str, on: date | None = None) -> str:
    """Issue the next tracking number for ``prefix`` on day ``on`` (default today, local time).

    Must run inside the transaction that saves the case: the sequence row stays locked until that transaction ends,
    and a rollback returns the number.
    """
    if not PREFIX_RE.match(prefix or ""):
        raise ValueError(f"受理编号前缀“{prefix}”须为 1 至 10 个大写英文字母。")
    if not transaction.get_connection().in_atomic_block:
        # Issued in autocommit, the number would be spent even if saving the case then failed: a gap.
        raise transaction.TransactionManagementError("受理编号须在保存案件的同一数据库事务中生成。")
    day = on or timezone.localdate()
    period = day.strftime("%Y%m%d")
    with transaction.atomic():
        sequence = NumberSequence.objects.select_for_update().filter(prefix=prefix, period=period).first()
        if sequence is None:
            # First number of the day: concurrent creators meet on the unique constraint; the loser's insert is
            # ignored and it then waits for the winner's row lock.
            NumberSequence.objects.bulk_create(
                [NumberSequence(prefix=prefix, period=period, last_value=0)], ignore_conflicts=True
            )
            sequence = NumberSequence.objects.select_for_update().get(prefix=prefix, period=period)
        sequence.last_value += 1
        sequence.save(update_fields=["last_value"])
    body = f"{prefix}{period}{sequence.last_value:0{SEQUENCE_WIDTH}d}"
    return body + check_character(body)


def issue_tracking_numbers(*, prefix: str, counts: dict[date, int]) -> dict[date, list[str]]:
    """Issue ``counts[day]`` consecutive tracking numbers for ``prefix`` on each day (bulk imports of historical
    cases), with a handful of queries per 500 days rather than several per number. Same rules as :func:`issue_tracking_number`: inside the
    caller's transaction, the days' sequence rows locked until it ends, no gaps, no repeats."""
    if not PREFIX_RE.match(prefix or ""):
        raise ValueError(f"受理编号前缀“{prefix}”须为 1 至 10 个大写英文字母。")
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("受理编号须在保存案件的同一数据库事务中生成。")
    periods = {day.strftime("%Y%m%d"): day for day, count in counts.items() if count > 0}
    if not periods:
        return {}
    NumberSequence.objects.bulk_create(
        [NumberSequence(prefix=prefix, period=period, last_value=0) for period in periods],
        ignore_conflicts=True,
        batch_size=500,
    )
    numbers: dict[date, list[str]] = {}
    changed = []
    keys = list(periods)
    for index in range(0, len(keys), 500):
        for sequence in NumberSequence.objects.select_for_update().filter(
            prefix=prefix, period__in=keys[index : index + 500]
        ):
            day = periods[sequence.period]
            first = sequence.last_value + 1
            sequence.last_value += counts[day]
            changed.append(sequence)
            numbers[day] = []
            for value in range(first, sequence.last_value + 1):
                body = f"{prefix}{sequence.period}{value:0{SEQUENCE_WIDTH}d}"
                numbers[day].append(body + check_character(body))
    NumberSequence.objects.bulk_update(changed, ["last_value"], batch_size=500)
    return numbers


def normalize_tracking_number(value: Any) -> str:
    """What a person typed, as a canonical number: full-width to half-width, spaces and dashes removed,
    upper-case."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = re.sub(r"[\s\-_]+", "", text)
    return text.upper()


def validate_tracking_number(value: Any) -> bool:
    """True for a well-formed number (in canonical form) whose date exists and whose check character is right."""
    if not isinstance(value, str):
        return False
    match = TRACKING_NUMBER_RE.match(value)
    if match is None:
        return False
    if _parse_day(match["date"]) is None or int(match["seq"]) == 0:
        return False
    return check_character_ok(value)


def _parse_day(digits: str) -> date | None:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def tracking_number_date(value: str) -> date | None:
    """The day a valid tracking number was issued, or ``None``."""
    if not validate_tracking_number(value):
        return None
    return _parse_day(TRACKING_NUMBER_RE.match(value)["date"])  # type: ignore[index]


# ---------------------------------------------------------------------------------------------------------------
# Query codes
# ---------------------------------------------------------------------------------------------------------------

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8
_QUERY_CODE_RE = re.compile(f"^[{QUERY_CODE_ALPHABET}]{{{QUERY_CODE_LENGTH}}}$")
_QUERY_CODE_SALT = "zhengwu.core.query_code"


def _query_code_hash(code: str, secret: str) -> str:
    return salted_hmac(_QUERY_CODE_SALT, code, secret=secret, algorithm="sha256").hexdigest()


def normalize_query_code(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s\-_]+", "", text).upper()


def issue_query_code() -> tuple[str, str]:
    """A new query code and the keyed hash to store. Show the code to the person once; keep only the hash."""
    code = "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
    return code, _query_code_hash(code, settings.SECRET_KEY)


def check_query_code(code: Any, stored_hash: str) -> bool:
    """Whether ``code`` (as typed; normalized here) matches ``stored_hash``. Constant time in the code's content;
    keys listed in ``SECRET_KEY_FALLBACKS`` are accepted so that rotating the key does not lock people out."""
    normalized = normalize_query_code(code)
    well_formed = bool(_QUERY_CODE_RE.match(normalized))
    matched = False
    for secret in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())):
        # Always compute and compare, so a malformed code costs the same as a wrong one.
        matched |= constant_time_compare(_query_code_hash(normalized, secret), stored_hash or "")
    return well_formed and matched


# ---------------------------------------------------------------------------------------------------------------
# Public look-up by tracking number + query code
# ---------------------------------------------------------------------------------------------------------------

MSG_MALFORMED = "受理编号格式不正确，请核对后重新输入。"
MSG_MISMATCH = "受理编号或查询码不正确。"
MSG_RATE_LIMITED = "查询失败次数过多，请 {minutes} 分钟后再试。"

# Compared against when no case has the number, so that "no such number" and "wrong code" take the same time.
_DUMMY_HASH = "0" * 64


class CaseLookupError(ValidationError):
    """Raised by :func:`lookup_case`; ``code`` is ``"malformed"``, ``"mismatch"`` or ``"rate_limited"``.
    A ``ValidationError``, so a view can hand it straight to ``form.add_error(None, exc)``."""


def _lookup_limit() -> tuple[int, int]:
    limit = int(getattr(settings, "ZHENGWU_LOOKUP_FAILURE_LIMIT", 10))
    window = int(getattr(settings, "ZHENGWU_LOOKUP_FAILURE_WINDOW", 15 * 60))
    return limit, window


_LOOKUP_SCOPE = "case-lookup-failures"


def _limit_subject(request: HttpRequest | None) -> str:
    return client_subject(request) if request is not None else "unknown"


def lookup_failures(request: HttpRequest | None) -> int:
    """Failed look-ups counted against the requester's address in the current window."""
    limit, window = _lookup_limit()
    return ratelimit.peek(
        scope=_LOOKUP_SCOPE, key=_limit_subject(request), limit=ratelimit.Limit(limit, window)
    )


def _rate_limited_error(window: int) -> CaseLookupError:
    remaining = window - (time.time() % window)
    return CaseLookupError(
        MSG_RATE_LIMITED.format(minutes=max(1, math.ceil(remaining / 60))), code="rate_limited"
    )


def lookup_case(
    *,
    queryset: models.QuerySet,
    tracking_number: str,
    query_code: str,
    request: HttpRequest | None,
) -> models.Model:
    """Find the case a member of the public asks about, or raise :class:`CaseLookupError`.

    ``queryset`` must expose ``tracking_number`` and ``query_code_hash`` (fields, or annotations for models that
    name them otherwise). A wrong number and a wrong code get the same message; failed attempts are counted per
    client address (atomically, see :mod:`zhengwu.core.ratelimit`) and refused once
    ``ZHENGWU_LOOKUP_FAILURE_LIMIT`` (default 10) is reached within ``ZHENGWU_LOOKUP_FAILURE_WINDOW`` seconds
    (default 900).
    """
    limit, window = _lookup_limit()
    quota = ratelimit.Limit(limit, window)
    subject = _limit_subject(request)
    # Every attempt takes one unit of the address's failure budget before it is evaluated, atomically, and a
    # successful one gives it back: however many look-ups arrive at once, at most ``limit`` wrong ones are tried.
    place = ratelimit.consume(scope=_LOOKUP_SCOPE, key=subject, limit=quota)
    if not place:
        raise _rate_limited_error(window)

    def failed(error: CaseLookupError) -> CaseLookupError:
        if place < limit:
            return error
        audit(
            actor=None,
            action="core.case_lookup.rate_limited",
            detail={"subject": subject, "failures": place, "window_seconds": window},
            request=request,
        )
        return _rate_limited_error(window)

    number = normalize_tracking_number(tracking_number)
    if not validate_tracking_number(number):
        raise failed(CaseLookupError(MSG_MALFORMED, code="malformed"))

    case = queryset.filter(tracking_number=number).order_by().first()
    stored_hash = getattr(case, "query_code_hash", "") if case is not None else _DUMMY_HASH
    if not check_query_code(query_code, stored_hash) or case is None:
        raise failed(CaseLookupError(MSG_MISMATCH, code="mismatch"))
    ratelimit.release(scope=_LOOKUP_SCOPE, key=subject, limit=quota)
    return case
