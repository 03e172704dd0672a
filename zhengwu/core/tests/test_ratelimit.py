"""Rate limits of public forms: the client address in both layouts (direct, behind our proxy) and counters that
hold under concurrent requests on the database table and on Redis."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from django.db import connection
from django.test import RequestFactory

from zhengwu.core import ratelimit
from zhengwu.core.client_address import client_ip, client_subject
from zhengwu.core.models import RateCounter


def _request(remote: str = "203.0.113.7", **headers):
    return RequestFactory().post("/", REMOTE_ADDR=remote, **headers)


# -- the address -------------------------------------------------------------------------------------------------


def test_direct_layout_reads_the_socket_and_ignores_headers(settings):
    settings.ZHENGWU_PROXY_HEADER = ""
    settings.ZHENGWU_TRUST_X_REAL_IP = False
    # The demo: a client on loopback (or anywhere) cannot choose its address by sending a header.
    assert client_ip(_request("127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "127.0.0.1"
    assert client_ip(_request("203.0.113.9", HTTP_X_REAL_IP="198.51.100.1")) == "203.0.113.9"
    assert client_ip(_request("::ffff:203.0.113.10")) == "203.0.113.10"
    assert client_ip(_request("")) is None


def test_behind_nginx_with_x_real_ip_on_a_unix_socket_or_loopback(settings):
    settings.ZHENGWU_PROXY_HEADER = "X-Real-IP"
    settings.ZHENGWU_TRUSTED_PROXIES = ["127.0.0.1/32", "::1/128"]
    # gunicorn on a Unix socket has no REMOTE_ADDR: only local processes (nginx) can connect.
    assert client_ip(_request("", HTTP_X_REAL_IP="198.51.100.4")) == "198.51.100.4"
    assert client_ip(_request("127.0.0.1", HTTP_X_REAL_IP="2001:db8::7")) == "2001:db8::7"
    # A client reaching the application directly is not believed.
    assert client_ip(_request("203.0.113.11", HTTP_X_REAL_IP="1.2.3.4")) == "203.0.113.11"
    # The proxy sent nothing usable: its own address rather than nothing.
    assert client_ip(_request("127.0.0.1", HTTP_X_REAL_IP="garbage")) == "127.0.0.1"


def test_x_forwarded_for_is_read_from_the_right_skipping_trusted_proxies(settings):
    settings.ZHENGWU_PROXY_HEADER = "X-Forwarded-For"
    settings.ZHENGWU_TRUSTED_PROXIES = ["10.0.0.0/8"]
    spoofed = _request("10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20, 10.0.0.5")
    assert client_ip(spoofed) == "198.51.100.20"
    assert client_ip(_request("203.0.113.12", HTTP_X_FORWARDED_FOR="6.6.6.6")) == "203.0.113.12"


def test_older_configuration_trust_x_real_ip_still_works(settings):
    settings.ZHENGWU_PROXY_HEADER = ""
    settings.ZHENGWU_TRUST_X_REAL_IP = True
    assert client_ip(_request("127.0.0.1", HTTP_X_REAL_IP="198.51.100.8")) == "198.51.100.8"


def test_ipv6_clients_share_their_64(settings):
    settings.ZHENGWU_PROXY_HEADER = ""
    assert client_subject(_request("2001:db8:1:2::1")) == client_subject(_request("2001:db8:1:2:ffff::9"))
    assert client_subject(_request("2001:db8:1:3::1")) != client_subject(_request("2001:db8:1:2::1"))
    assert client_subject(_request("")) == "unknown"


# -- counting ----------------------------------------------------------------------------------------------------


@pytest.fixture(params=["database", "redis"])
def store(request, settings):
    if request.param == "redis":
        redis = pytest.importorskip("redis")
        current = settings.CACHES["default"]
        url = (
            current["LOCATION"]
            if current["BACKEND"].endswith("RedisCache")
            else f"redis://127.0.0.1:6379/{os.environ.get('ZHENGWU_TEST_REDIS_DB', '15')}"
        )
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            pytest.skip("Redis 未运行")
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": f"zhengwu-test-{uuid.uuid4().hex}",
            },
        }
    settings.ZHENGWU_RATELIMIT_STORE = "cache" if request.param == "redis" else "database"
    return request.param


def test_consume_admits_up_to_the_limit_and_release_gives_back(db, store):
    limit = ratelimit.Limit(3, 3600)
    places = [ratelimit.consume(scope="t", key="a", limit=limit) for _ in range(5)]
    assert places == [1, 2, 3, 0, 0]
    assert ratelimit.peek(scope="t", key="a", limit=limit) == 3
    assert ratelimit.is_over(scope="t", key="a", limit=limit)
    ratelimit.release(scope="t", key="a", limit=limit)
    assert ratelimit.consume(scope="t", key="a", limit=limit) == 3
    # Other keys and other scopes are counted apart.
    assert ratelimit.consume(scope="t", key="b", limit=limit) == 1
    assert ratelimit.consume(scope="u", key="a", limit=limit) == 1
    assert [ratelimit.hit(scope="h", key="a", limit=limit) for _ in range(4)] == [1, 2, 3, 4]


def test_database_counters_are_not_the_culled_cache_and_expire(db, settings):
    settings.ZHENGWU_RATELIMIT_STORE = "database"
    ratelimit.hit(scope="t", key="a", limit=ratelimit.Limit(5, 60))
    row = RateCounter.objects.get()
    assert row.count == 1 and row.key.startswith("zw:rl:t:a:60:")
    RateCounter.objects.update(expires_at=row.expires_at.replace(year=2000))
    assert ratelimit.delete_expired_counters() == 1


def _hammer(worker, threads_count: int) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_count)

    def run(index: int) -> None:
        try:
            barrier.wait()
            worker(index)
        except BaseException as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_never_pass_the_limit(store):
    """The audit's case: 80 posts at once against a limit of 5 let 16 through when the counter was read and
    written back. Counted atomically, exactly 5 are admitted and every failure is counted."""
    if store == "database" and connection.vendor == "sqlite":
        pytest.skip("内存中的 SQLite 测试库不能多线程写入：SQLite 由下面的多进程测试覆盖")
    limit = ratelimit.Limit(5, 3600)
    admitted: list[int] = []
    counted: list[int] = []

    def worker(index: int) -> None:
        place = ratelimit.consume(scope="apply", key="198.51.100.1", limit=limit)
        if place:
            admitted.append(place)
        counted.append(ratelimit.hit(scope="captcha", key="198.51.100.1", limit=limit))

    errors = _hammer(worker, 40)
    assert not errors, errors
    assert sorted(admitted) == [1, 2, 3, 4, 5]
    assert sorted(counted) == list(range(1, 41))


_WORKER = """
import json, os, sys, time
import django
django.setup()
from zhengwu.core import ratelimit
start = float(sys.argv[1])
while time.time() < start:
    time.sleep(0.005)
limit = ratelimit.Limit(5, 3600)
places = [ratelimit.consume(scope="apply", key="198.51.100.1", limit=limit) for _ in range(20)]
hits = [ratelimit.hit(scope="captcha", key="198.51.100.1", limit=limit) for _ in range(20)]
print(json.dumps({"admitted": [p for p in places if p], "hits": hits}))
"""

_CREATE = """
import django
django.setup()
from django.db import connection
from zhengwu.core.models import RateCounter
with connection.schema_editor() as editor:
    editor.create_model(RateCounter)
"""


def test_worker_processes_sharing_one_sqlite_file_never_pass_the_limit(tmp_path):
    """The demo's layout: several processes on one SQLite file (gunicorn workers, the development server's
    threads). Each runs 20 submissions and 20 failed captchas at the same moment."""
    import json
    import subprocess
    import sys
    import time

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhengwu.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'counters.sqlite3'}",
        "ZHENGWU_RATELIMIT_STORE": "database",
        "REDIS_URL": "",
    }
    subprocess.run([sys.executable, "-c", _CREATE], env=env, check=True, timeout=120)
    start = time.time() + 8
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(start)], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    results = [json.loads(worker.communicate(timeout=180)[0]) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    assert sorted(place for result in results for place in result["admitted"]) == [1, 2, 3, 4, 5]
    assert sorted(count for result in results for count in result["hits"]) == list(range(1, 81))
