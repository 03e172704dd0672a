"""Benchmark of the site search (站内搜索): indexing time, query latency and recall, on SQLite and PostgreSQL.

    python benchmarks/search.py [--articles 100000] [--wagtail-articles 20000] [--rounds 15]
                                [--postgres URL | --no-postgres] [--keep]

For each database it builds a county portal, generates ``--articles`` articles from the demo sentences
(zhengwu/portal/demo_data/sentences.txt, shuffled and combined with a fixed seed) plus a few dozen planted
articles with known content, and indexes them through the production code path
(:func:`zhengwu.portal.search.services.sync_pages`, the same call the publish signal and ``search_reindex`` make).
The pages are inserted in bulk (creating 100,000 pages one by one through Wagtail would take hours); everything
after that is the production path.

It then measures:

- query latency (p50/p95) of :func:`zhengwu.portal.search.selectors.search` — segmentation, count, ranked page,
  entries, highlighting — over a fixed set of queries, filters and sorts, against the target p95 < 50 ms;
- recall and precision on the everyday set: queries as residents type them (社保, shebao, sb, 医保缴费, 身份证补办)
  against articles in official wording, labelled by hand with what each query looks for (target recall ≥ 95%),
  and whether the “您是不是要找” correction fixes typical typos and leaves correct queries alone;
- recall and precision on a labelled set of Chinese queries, where the relevant documents are those whose
  title, summary or body contain the query text, side by side with Wagtail's stock database search backend
  (``wagtail.search.backends.database``) on the same documents. Wagtail's backend indexes objects one by one in
  Python, so it gets the first ``--wagtail-articles`` generated articles and all planted ones; the recall of
  both engines is measured on that same subset.

SQLite runs in a temporary directory. PostgreSQL runs in a scratch database created on the server of
``--postgres`` (default ``postgres://postgres@127.0.0.1:5432/zhengwu_bench_search``) and dropped afterwards
unless ``--keep``; it is skipped with a message when the server does not answer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 50.0
TARGET_EVERYDAY_RECALL = 0.95
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/zhengwu_bench_search"
SEED = 20261122

# Facts planted in a few articles each (in the body, sometimes also in the title): content no generated article
# has, so the relevant documents of the queries below are known.
PLANTED_FACTS = [
    "马坳镇召开防汛抗旱工作部署会，要求各村做好汛期值班和巡查。",
    "全县秸秆禁烧工作进入关键阶段，县生态环境局开展夜间巡查。",
    "张明华同志任示范县应急管理局局长，负责全县应急管理工作。",
    "根据示府办发〔2024〕37号文件精神，县自然资源局做好不动产登记便民服务。",
    "县长信箱本月共收到群众来信86件，均已按期答复。",
    "全面推行河长制，落实县乡村三级河长巡河制度。",
    "城区生活垃圾分类试点扩大到12个社区。",
    "示范县发展和改革委员会开展重要民生商品价格监测。",
    "青山镇森林防火指挥部组织扑火演练，检验应急预案。",
    "持续优化营商环境，企业开办时间压缩至1个工作日。",
    "12345政务服务便民热线本季度受理群众诉求3200件。",
    "乡村振兴示范点建设稳步推进，带动农户增收。",
]
PLANTED_PER_FACT = 5

# The labelled queries: relevant = documents whose title, summary or body contain the query (NFKC, case-folded).
LABELLED_QUERIES = [
    "防汛",
    "抗旱",
    "防汛抗旱",
    "马坳镇",
    "马坳",
    "秸秆禁烧",
    "禁烧",
    "张明华",
    "示府办发〔2024〕37号",
    "不动产登记",
    "县长信箱",
    "河长制",
    "河长",
    "垃圾分类",
    "发展和改革",
    "森林防火",
    "营商环境",
    "便民热线",
    "乡村振兴",
    "信箱",
    "网站",
    "公开",
]

# The everyday set: what residents type into the box (abbreviations, pinyin, initials, a task in a few words),
# against articles written the way a county's departments write (full names, official terms). Each query is
# labelled with what the resident is looking for: a document is relevant when it contains, for every part of the
# need, one of the phrases listed for it (written by hand from what the words mean, not from the search's
# synonym dictionary).
EVERYDAY_FACTS = [
    "县人力资源和社会保障局延长社会保障卡补办窗口服务时间，周六上午照常办理。",
    "城乡居民基本医疗保险集中缴费期延长至12月31日，参保群众可通过手机缴费。",
    "县医疗保障局公布门诊慢特病待遇认定办法，认定通过后次月起享受待遇。",
    "住房公积金管理中心开通租房提取线上办理，缴存职工无需到柜台。",
    "对符合条件的困难家庭及时纳入最低生活保障范围，做到应保尽保。",
    "公安局户政窗口为群众办理居民身份证换领、补领业务，急需者可办理临时身份证。",
    "企业退休人员基本养老金领取资格认证可在手机上完成，无需到现场。",
    "县市场监督管理局推行营业执照全程电子化登记，企业开办一日办结。",
    "机动车驾驶证期满换证可在车管所自助办理，也可网上申请。",
    "不动产权证书遗失的，申请补发前须在县政府网站发布遗失声明。",
    "个人所得税综合所得年度汇算开始办理，纳税人可通过手机办理退税。",
    "残疾人证办理及残疾等级评定流程公布，评定费用由财政承担。",
    "新生儿出生后一个月内由监护人到派出所办理户籍登记。",
    "县教育和体育局发布小学一年级新生入学报名公告，适龄儿童网上报名。",
]
EVERYDAY_QUERIES = [
    ("社保", [("社保", "社会保险", "社会保障")]),
    ("shebao", [("社保", "社会保险", "社会保障")]),
    ("sb", [("社保", "社会保险", "社会保障")]),
    ("社保卡补办", [("社保卡", "社会保障卡"), ("补办", "补领", "补发")]),
    ("人社局", [("人社局", "人力资源和社会保障局")]),
    ("医保", [("医保", "医疗保障", "医疗保险")]),
    ("yibao", [("医保", "医疗保障", "医疗保险")]),
    ("医保缴费", [("医保", "医疗保险", "医疗保障"), ("缴费", "缴纳")]),
    ("医保局", [("医保局", "医疗保障局")]),
    ("公积金", [("公积金",)]),
    ("gjj", [("公积金",)]),
    ("公积金提取", [("公积金",), ("提取",)]),
    ("低保", [("低保", "最低生活保障")]),
    ("dibao", [("低保", "最低生活保障")]),
    ("身份证补办", [("身份证",), ("补办", "补领", "补发")]),
    ("养老金认证", [("养老金", "养老保险金"), ("认证",)]),
    ("营业执照", [("营业执照",)]),
    ("驾照换证", [("驾照", "驾驶证"), ("换证",)]),
    ("房产证补办", [("房产证", "不动产权证书", "不动产证"), ("补办", "补领", "补发")]),
    ("个税", [("个税", "个人所得税")]),
    ("残疾证怎么办", [("残疾证", "残疾人证")]),
    ("新生儿上户口", [("新生儿",), ("户口", "户籍", "落户")]),
    ("小学报名", [("小学",), ("报名",)]),
    ("市场监管局", [("市场监管局", "市场监督管理局")]),
]
# Typos as typed with a pinyin input method (the correction expected), and correct queries that must get none.
TYPO_QUERIES = [
    ("社宝卡", "社保卡"),
    ("公基金提取", "公积金提取"),
    ("营业执找", "营业执照"),
    ("户口签移", "户口迁移"),
]
EVERYDAY_PER_FACT = 4

# The latency set: (query, extra filters). Frequent words are the expensive case (tens of thousands of matches).
LATENCY_QUERIES = [
    ("政务", {}),
    ("政务", {"sort": "date"}),
    ("公开", {"page": 5}),
    ("政务公开 网站", {}),
    ("信息公开工作", {}),
    ("电子政务建设", {}),
    ("网站", {"kind": "notice"}),
    ("政务", {"from": "2025-01-01", "to": "2025-06-30"}),
    ("政务", {"site": "all"}),
    ("防汛", {}),
    ("示府办发〔2024〕37号", {}),
    ("张明华", {}),
    ("马坳镇 防汛", {}),
    ("青山镇", {}),
    ("营商环境", {"sort": "date"}),
    ("12345", {}),
    ("信箱", {"column": "first"}),
    ("航天发射", {}),
    ("县政府办公室关于进一步加强政府网站内容保障工作的通知", {}),
    ("各乡镇 各部门 电子政务 工作", {}),
]

COLUMNS = [
    ("政务要闻", "zwyw", "news", "news"),
    ("部门动态", "bmdt", "news", "news"),
    ("乡镇动态", "xzdt", "news", "news"),
    ("通知公告", "tzgg", "notice", "notice"),
    ("规划计划", "ghjh", "plan", "news"),
    ("视频新闻", "spxw", "news", "video"),
]
TITLE_TEMPLATES = [
    "{org}召开{topic}推进会",
    "{org}部署{topic}工作",
    "我县{topic}工作取得新进展",
    "关于做好{topic}工作的通知",
    "{org}开展{topic}专项检查",
]
TOPICS = [
    "政府网站内容保障",
    "政务公开标准化规范化",
    "政府信息公开年度报告编制",
    "政务服务事项梳理",
    "电子政务外网接入",
    "网络安全等级保护测评",
    "政务新媒体规范管理",
    "政务信息报送",
    "网上办事大厅建设",
    "电子监察系统运行",
    "数据共享交换",
    "电子证照应用",
]
ORGS = [
    ("ZFB", "示范县人民政府办公室", "department"),
    ("FGW", "示范县发展和改革委员会", "department"),
    ("ZSJ", "示范县政务服务数据管理局", "department"),
    ("YJGLJ", "示范县应急管理局", "department"),
    ("ZRZYJ", "示范县自然资源局", "department"),
    ("QSZ", "青山镇", "township"),
    ("MAZ", "马坳镇", "township"),
    ("BSZ", "白沙镇", "township"),
]


# ---------------------------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------------------------


def load_sentences() -> list[str]:
    path = ROOT / "zhengwu" / "portal" / "demo_data" / "sentences.txt"
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]
    numbering = re.compile(r"^(?:[一二三四五六七八九十]+[、是]|（[一二三四五六七八九十]+）|\d+[、.．])+")
    return [numbering.sub("", line) for line in lines]


def generate_articles(count: int, rng: random.Random) -> list[dict]:
    """Deterministic articles: a title from a template or a clause, 3–6 sentences of body, a date in the last
    two years, a column."""
    sentences = load_sentences()
    org_names = [name for _code, name, _kind in ORGS]
    today = dt.date(2026, 11, 1)
    articles = []
    for n in range(count):
        if rng.random() < 0.5:
            title = rng.choice(TITLE_TEMPLATES).format(org=rng.choice(org_names), topic=rng.choice(TOPICS))
        else:
            title = re.split(r"[，。；：！？]", rng.choice(sentences))[0][:40]
        body = rng.sample(sentences, rng.randint(3, 6))
        articles.append(
            {
                "key": f"a{n}",
                "title": title,
                "summary": "",
                "body": body,
                "column": rng.randrange(len(COLUMNS)),
                "day": today - dt.timedelta(days=rng.randrange(730)),
            }
        )
    return articles


def plant(articles: list[dict], rng: random.Random) -> list[dict]:
    """Articles carrying the planted facts, some in the title too."""
    sentences = load_sentences()
    planted = []
    for f, fact in enumerate(PLANTED_FACTS):
        for i in range(PLANTED_PER_FACT):
            body = rng.sample(sentences, rng.randint(2, 5))
            body.insert(rng.randrange(len(body) + 1), fact)
            title = (
                re.split(r"[，。]", fact)[0]
                if i == 0
                else rng.choice(TITLE_TEMPLATES).format(org="示范县人民政府办公室", topic=rng.choice(TOPICS))
            )
            planted.append(
                {
                    "key": f"p{f}-{i}",
                    "title": title,
                    "summary": "",
                    "body": body,
                    "column": rng.randrange(len(COLUMNS)),
                    "day": dt.date(2026, 11, 1) - dt.timedelta(days=rng.randrange(730)),
                }
            )
    return planted


def plant_everyday(rng: random.Random) -> list[dict]:
    """Articles carrying the everyday facts, the first of each also with the fact as its title."""
    sentences = load_sentences()
    planted = []
    for f, fact in enumerate(EVERYDAY_FACTS):
        for i in range(EVERYDAY_PER_FACT):
            body = rng.sample(sentences, rng.randint(2, 5))
            body.insert(rng.randrange(len(body) + 1), fact)
            title = (
                re.split(r"[，。]", fact)[0]
                if i == 0
                else rng.choice(TITLE_TEMPLATES).format(org="示范县人民政府办公室", topic=rng.choice(TOPICS))
            )
            planted.append(
                {
                    "key": f"e{f}-{i}",
                    "title": title,
                    "summary": "",
                    "body": body,
                    "column": rng.randrange(len(COLUMNS)),
                    "day": dt.date(2026, 11, 1) - dt.timedelta(days=rng.randrange(730)),
                }
            )
    return planted


def everyday_truth(docs: list[dict]) -> dict[str, set[str]]:
    """Relevant documents of the everyday queries: every part of the need is named by one of its phrases."""
    texts = {
        doc["key"]: fold(doc["title"] + "\n" + doc["summary"] + "\n" + "".join(doc["body"])) for doc in docs
    }
    return {
        query: {
            key
            for key, text in texts.items()
            if all(any(fold(phrase) in text for phrase in part) for part in need)
        }
        for query, need in EVERYDAY_QUERIES
    }


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def ground_truth(docs: list[dict], queries: list[str]) -> dict[str, set[str]]:
    texts = {
        doc["key"]: fold(doc["title"] + "\n" + doc["summary"] + "\n" + "".join(doc["body"])) for doc in docs
    }
    return {q: {key for key, text in texts.items() if fold(q) in text} for q in queries}


# ---------------------------------------------------------------------------------------------------------------
# One database (child process)
# ---------------------------------------------------------------------------------------------------------------


def setup_django(database_url: str, data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhengwu.settings.dev"
    os.environ["ZHENGWU_TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["ZHENGWU_DEBUG"] = "0"
    os.environ["ZHENGWU_DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def build_site():
    from zhengwu.core.models import Organization
    from zhengwu.portal.models import ColumnPage
    from zhengwu.portal.services import create_site

    county = Organization.objects.create(
        name="示范县人民政府", kind="government", code="SFX", path="", depth=0
    )
    county.path = f"{county.pk:06d}/"
    county.save(update_fields=["path"])
    for code, name, kind in ORGS:
        org = Organization.objects.create(name=name, kind=kind, code=code, parent=county, depth=1)
        org.path = f"{county.path}{org.pk:06d}/"
        org.save(update_fields=["path"])
    site = create_site(
        organization=county,
        site_name="示范县人民政府",
        hostname="127.0.0.1",
        port=8000,
        is_default=True,
        actor=None,
    )
    home = site.root_page.specific
    columns = []
    for title, slug, kind, _article_kind in COLUMNS:
        column = ColumnPage(title=title, slug=slug, column_kind=kind, live=True)
        home.add_child(instance=column)
        columns.append(column)
    return site, columns


def insert_articles(docs: list[dict], columns: list, batch: int = 2000) -> dict[str, int]:
    """Bulk-insert live ArticlePage rows (page, content and article tables) under their columns; returns
    key → page id. Every field not given takes the model's default, so the rows are what Wagtail would store."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from zhengwu.portal.models import ArticlePage, ContentPage

    content_type = ContentType.objects.get_for_model(ArticlePage)
    locale = Locale.get_default()
    counters = {column.pk: 0 for column in columns}
    ids: dict[str, int] = {}
    rng = random.Random(SEED + 1)
    tables = [ContentPage, ArticlePage]
    for start in range(0, len(docs), batch):
        chunk = docs[start : start + batch]
        pages, articles = [], []
        for doc in chunk:
            column = columns[doc["column"]]
            counters[column.pk] += 1
            number = counters[column.pk]
            moment = timezone.make_aware(dt.datetime.combine(doc["day"], dt.time(9, 0)))
            slug = f"{column.slug}-{number:06d}"
            common = {
                "title": doc["title"],
                "draft_title": doc["title"],
                "slug": slug,
                "content_type_id": content_type.pk,
                "live": True,
                "has_unpublished_changes": False,
                "url_path": f"{column.url_path}{slug}/",
                "path": Page._get_path(column.path, column.depth + 1, number),
                "depth": column.depth + 1,
                "numchild": 0,
                "first_published_at": moment,
                "last_published_at": moment,
                "locale_id": locale.pk,
                "translation_key": uuid.UUID(int=rng.getrandbits(128), version=4),
            }
            pages.append(Page(**common))
            articles.append(
                ArticlePage(
                    **common,
                    kind=COLUMNS[doc["column"]][3],
                    published_at=moment,
                    source="示范县人民政府办公室",
                    summary=doc["summary"],
                    body="".join(f"<p>{sentence}</p>" for sentence in doc["body"]),
                    video_url="https://example.org/video.mp4" if COLUMNS[doc["column"]][3] == "video" else "",
                )
            )
        with transaction.atomic():
            Page.objects.bulk_create(pages)
            for page, article, doc in zip(pages, articles, chunk, strict=True):
                article.pk = article.page_ptr_id = article.contentpage_ptr_id = page.pk
                ids[doc["key"]] = page.pk
            with connection.cursor() as cursor:
                for model in tables:
                    fields = model._meta.local_concrete_fields
                    columns_sql = ", ".join(connection.ops.quote_name(f.column) for f in fields)
                    marks = ", ".join(["%s"] * len(fields))
                    rows = [
                        [f.get_db_prep_save(f.pre_save(article, add=True), connection) for f in fields]
                        for article in articles
                    ]
                    cursor.executemany(
                        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns_sql}) "
                        f"VALUES ({marks})",
                        rows,
                    )
    for column in columns:
        Page.objects.filter(pk=column.pk).update(numchild=counters[column.pk])
    return ids


def index_size_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('portal_searchentry')")
            return cursor.fetchone()[0]
        cursor.execute(
            "SELECT SUM(pgsize) FROM dbstat WHERE name = 'portal_searchentry' OR name LIKE 'portal_search_fts%' "
            "OR name LIKE 'sqlite_autoindex_portal_searchentry%' OR name LIKE 'portal_search_%'"
        )
        return cursor.fetchone()[0] or 0


def text_bytes() -> int:
    from django.db.models import Sum
    from django.db.models.functions import Length

    from zhengwu.portal.models import SearchEntry

    row = SearchEntry.objects.aggregate(
        t=Sum(Length("title")), s=Sum(Length("summary")), b=Sum(Length("body_text"))
    )
    return sum(v or 0 for v in row.values())


def our_results(query: str, filters) -> list[int]:
    """Every page id the production search returns for ``query`` (all pages of results)."""
    from zhengwu.portal.search.backends import MatchCount, get_backend
    from zhengwu.portal.search.selectors import query_terms

    backend = get_backend()
    terms, _left_out = query_terms(query, backend)  # as the search page: synonyms, pinyin, frequent words
    if not terms:
        return []
    every = MatchCount(0)  # "few matches": rank them all, so that every match is returned
    hits = backend.search(
        terms=terms, filters=filters, sort="relevance", offset=0, limit=1_000_000, count=every
    )
    return [hit.page_id for hit in hits]


def wagtail_index(page_ids: list[int]) -> tuple[float, str]:
    from wagtail.search.backends import get_search_backend

    from zhengwu.portal.models import ArticlePage

    backend = get_search_backend("default")
    began = time.perf_counter()
    for start in range(0, len(page_ids), 1000):
        objects = list(ArticlePage.objects.filter(pk__in=page_ids[start : start + 1000]))
        backend.add_bulk(ArticlePage, objects)
    return time.perf_counter() - began, type(backend).__module__ + "." + type(backend).__name__


def wagtail_results(query: str) -> list[int]:
    from wagtail.search.backends import get_search_backend

    from zhengwu.portal.models import ArticlePage

    backend = get_search_backend("default")
    return [page.pk for page in backend.search(query, ArticlePage)[:1_000_000]]


def latency_filters(filters: dict, site, columns):
    """The search request the page would build for these query-string values."""
    from django.http import QueryDict

    from zhengwu.portal.search.params import parse_search_request

    data = QueryDict(mutable=True)
    for key, value in filters.items():
        data[key] = str(columns[0].pk) if value == "first" else str(value)
    return parse_search_request(data, current_site=site)


def run_child(args) -> dict:
    setup_django(args.database_url, args.data_dir)
    from django.core.management import call_command
    from django.db import connection

    from zhengwu.portal.search import segment, selectors
    from zhengwu.portal.search.backends import SearchFilters, get_backend
    from zhengwu.portal.search.services import sync_pages

    result: dict = {"vendor": connection.vendor}
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    result["migrate_s"] = time.perf_counter() - began
    site, columns = build_site()
    from zhengwu.portal.search.synonyms import load_rules

    load_rules()  # the synonym dictionary, as ``zhengwu setup`` installs it
    segment.reload_dictionary()

    rng = random.Random(SEED)
    articles = generate_articles(args.articles, rng)
    planted = plant(articles, rng) + plant_everyday(rng)
    docs = articles + planted
    began = time.perf_counter()
    ids = insert_articles(docs, columns)
    result["insert_s"] = time.perf_counter() - began
    result["documents"] = len(docs)
    result["planted"] = len(planted)

    page_ids = sorted(ids.values())
    began = time.perf_counter()
    cpu = time.process_time()
    outcome = sync_pages(page_ids=page_ids, batch_size=1000)
    result["index_s"] = time.perf_counter() - began
    result["index_cpu_s"] = time.process_time() - cpu
    result["indexed"] = outcome.indexed
    get_backend().optimize()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # A running site checkpoints its write-ahead log as it goes; after one bulk load it is still full.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    result["index_bytes"] = index_size_bytes()
    result["text_chars"] = text_bytes()

    # Latency: every query of the set, ``rounds`` times, in a shuffled order, after one warm-up pass.
    requests = [(q, latency_filters(f, site, columns)) for q, f in LATENCY_QUERIES]
    for query, request in requests:
        selectors.search(query=query, filters=request.filters, sort=request.sort, page=request.page)
    gc.collect()  # garbage left by the bulk load would otherwise be collected during the measurement
    order = [i for i in range(len(requests)) for _ in range(args.rounds)]
    random.Random(SEED + 2).shuffle(order)
    samples: dict[int, list[float]] = {i: [] for i in range(len(requests))}
    load_before = os.getloadavg()[0]
    for i in order:
        query, request = requests[i]
        began = time.perf_counter()
        found = selectors.search(query=query, filters=request.filters, sort=request.sort, page=request.page)
        samples[i].append((time.perf_counter() - began) * 1000)
    everything = sorted(ms for values in samples.values() for ms in values)
    result["latency"] = {
        "p50": statistics.median(everything),
        "p95": everything[int(0.95 * (len(everything) - 1))],
        "max": everything[-1],
        "load": (load_before + os.getloadavg()[0]) / 2,
        "per_query": [
            {
                "query": query,
                "filters": filters,
                "p50": statistics.median(samples[i]),
                "p95": sorted(samples[i])[int(0.95 * (len(samples[i]) - 1))],
            }
            for i, (query, filters) in enumerate(LATENCY_QUERIES)
        ],
    }
    del found

    # Recall: ours on everything, then both engines on the subset Wagtail indexes.
    key_of = {pk: key for key, pk in ids.items()}
    subset_keys = {doc["key"] for doc in articles[: args.wagtail_articles]} | {doc["key"] for doc in planted}
    subset_docs = [doc for doc in docs if doc["key"] in subset_keys]
    truth_all = ground_truth(docs, LABELLED_QUERIES)
    truth_subset = ground_truth(subset_docs, LABELLED_QUERIES)
    everywhere = SearchFilters(site_id=site.pk)
    ours = {q: {key_of[pk] for pk in our_results(q, everywhere)} for q in LABELLED_QUERIES}
    wagtail_seconds, wagtail_backend = wagtail_index(sorted(ids[key] for key in subset_keys))
    theirs = {q: {key_of.get(pk, "?") for pk in wagtail_results(q)} for q in LABELLED_QUERIES}
    result["wagtail"] = {
        "backend": wagtail_backend,
        "documents": len(subset_keys),
        "index_s": wagtail_seconds,
    }
    rows = []
    for q in LABELLED_QUERIES:
        rows.append(
            {
                "query": q,
                "relevant_all": len(truth_all[q]),
                "found_all": len(ours[q] & truth_all[q]),
                "returned_all": len(ours[q]),
                "relevant_subset": len(truth_subset[q]),
                "ours_subset": len(ours[q] & truth_subset[q]),
                "ours_returned_subset": len(ours[q] & subset_keys),
                "wagtail_subset": len(theirs[q] & truth_subset[q]),
                "wagtail_returned": len(theirs[q]),
            }
        )
    result["recall"] = rows

    # The everyday set, on the whole corpus.
    truth = everyday_truth(docs)
    result["everyday"] = []
    for query, _need in EVERYDAY_QUERIES:
        returned = {key_of[pk] for pk in our_results(query, everywhere)}
        result["everyday"].append(
            {
                "query": query,
                "relevant_all": len(truth[query]),
                "found_all": len(returned & truth[query]),
                "returned_all": len(returned),
            }
        )
    from zhengwu.portal.search.suggest import corrected

    result["typos"] = [
        {"query": typo, "expected": fixed, "got": corrected(typo)} for typo, fixed in TYPO_QUERIES
    ]
    result["typos_on_correct"] = [
        {"query": query, "got": corrected(query)}
        for query, _need in EVERYDAY_QUERIES
        if corrected(query) != query
    ]
    return result


# ---------------------------------------------------------------------------------------------------------------
# Report (parent process)
# ---------------------------------------------------------------------------------------------------------------


def ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def pct(value: float | None) -> str:
    return "   —  " if value is None else f"{value * 100:5.1f}%"


def micro(rows: list[dict], found: str, relevant: str) -> float | None:
    return ratio(sum(r[found] for r in rows), sum(r[relevant] for r in rows))


def macro(rows: list[dict], found: str, relevant: str) -> float | None:
    values = [r[found] / r[relevant] for r in rows if r[relevant]]
    return sum(values) / len(values) if values else None


def report(results: list[dict], args) -> None:
    print()
    print("站内搜索 benchmark — jieba-segmented index (SQLite FTS5 unicode61 / PostgreSQL tsvector+GIN)")
    print(
        f"corpus: {args.articles:,} generated articles + {results[0]['planted']} planted, from the demo sentences"
    )
    print(f"machine: {os.cpu_count()} CPUs")
    print()
    names = [r["vendor"] for r in results]
    width = 16
    print(f"{'':34}" + "".join(f"{name:>{width}}" for name in names) + f"{'target':>{width}}")

    def line(label, values, target=""):
        print(f"{label:34}" + "".join(f"{v:>{width}}" for v in values) + f"{target:>{width}}")

    line("bulk insert of pages", [f"{r['insert_s']:.1f} s" for r in results])
    line("indexing (segment + write)", [f"{r['index_s']:.1f} s" for r in results])
    line("  documents per second", [f"{r['indexed'] / r['index_s']:,.0f}" for r in results])
    line("  text indexed", [f"{r['text_chars'] / 1e6:.1f} M chars" for r in results])
    line("  index size (entries + full text)", [f"{r['index_bytes'] / 1e6:,.0f} MB" for r in results])
    line("query latency p50", [f"{r['latency']['p50']:.1f} ms" for r in results])
    line(
        "query latency p95",
        [f"{r['latency']['p95']:.1f} ms" for r in results],
        f"< {TARGET_P95_MS:.0f} ms",
    )
    line("query latency max", [f"{r['latency']['max']:.1f} ms" for r in results])
    line(
        "  verdict p95",
        ["within" if r["latency"]["p95"] < TARGET_P95_MS else "OVER" for r in results],
    )
    line("  load average while measuring", [f"{r['latency']['load']:.2f}" for r in results])
    line(
        "recall, whole corpus (micro)",
        [pct(micro(r["recall"], "found_all", "relevant_all")) for r in results],
    )
    line(
        "precision, whole corpus (micro)",
        [pct(micro(r["recall"], "found_all", "returned_all")) for r in results],
    )
    line(
        "everyday set: recall (micro)",
        [pct(micro(r["everyday"], "found_all", "relevant_all")) for r in results],
        f">= {TARGET_EVERYDAY_RECALL * 100:.0f}%",
    )
    line(
        "everyday set: precision (micro)",
        [pct(micro(r["everyday"], "found_all", "returned_all")) for r in results],
    )
    line(
        "typos corrected",
        [f"{sum(t['got'] == t['expected'] for t in r['typos'])}/{len(r['typos'])}" for r in results],
    )
    line(
        "correct queries given a correction",
        [f"{len(r['typos_on_correct'])}/{len(EVERYDAY_QUERIES)}" for r in results],
        "0",
    )
    print()
    for r in results:
        w = r["wagtail"]
        print(
            f"[{r['vendor']}] latency per query (p50 / p95 ms, {args.rounds} runs each; "
            f"search = segment + count + ranked page + highlight):"
        )
        for q in r["latency"]["per_query"]:
            label = q["query"] + (" " + json.dumps(q["filters"], ensure_ascii=False) if q["filters"] else "")
            print(f"    {q['p50']:7.1f} / {q['p95']:7.1f}   {label}")
        print()
        print(
            f"[{r['vendor']}] recall on the labelled queries, side by side with Wagtail's stock backend "
            f"({w['backend']}) on the same {w['documents']:,} documents (Wagtail indexed them in "
            f"{w['index_s']:.1f} s; it indexes object by object, so it gets a subset of the corpus):"
        )
        print(f"    {'query':24}{'relevant':>9}{'ours':>8}{'recall':>8}{'wagtail':>9}{'recall':>8}")
        for row in r["recall"]:
            print(
                f"    {row['query']:{24 - _wide(row['query'])}}{row['relevant_subset']:>9}"
                f"{row['ours_subset']:>8}{pct(ratio(row['ours_subset'], row['relevant_subset'])):>8}"
                f"{row['wagtail_subset']:>9}{pct(ratio(row['wagtail_subset'], row['relevant_subset'])):>8}"
            )
        rows = r["recall"]
        print(
            f"    {'micro average':24}{'':>9}{'':>8}{pct(micro(rows, 'ours_subset', 'relevant_subset')):>8}"
            f"{'':>9}{pct(micro(rows, 'wagtail_subset', 'relevant_subset')):>8}"
        )
        print(
            f"    {'macro average':24}{'':>9}{'':>8}{pct(macro(rows, 'ours_subset', 'relevant_subset')):>8}"
            f"{'':>9}{pct(macro(rows, 'wagtail_subset', 'relevant_subset')):>8}"
        )
        print(
            f"    {'precision (micro)':24}{'':>9}{'':>8}"
            f"{pct(micro(rows, 'ours_subset', 'ours_returned_subset')):>8}{'':>9}"
            f"{pct(micro(rows, 'wagtail_subset', 'wagtail_returned')):>8}"
        )
        print()
        print(
            f"[{r['vendor']}] the everyday set (what residents type; whole corpus), next to the planted set:"
        )
        print(f"    {'query':24}{'relevant':>9}{'found':>8}{'returned':>10}{'recall':>8}{'precision':>11}")
        for row in r["everyday"]:
            print(
                f"    {row['query']:{24 - _wide(row['query'])}}{row['relevant_all']:>9}{row['found_all']:>8}"
                f"{row['returned_all']:>10}{pct(ratio(row['found_all'], row['relevant_all'])):>8}"
                f"{pct(ratio(row['found_all'], row['returned_all'])):>11}"
            )
        for label, key in (("everyday set", "everyday"), ("planted set", "recall")):
            print(
                f"    {label + ' (micro)':24}{'':>9}{'':>8}{'':>10}"
                f"{pct(micro(r[key], 'found_all', 'relevant_all')):>8}"
                f"{pct(micro(r[key], 'found_all', 'returned_all')):>11}"
            )
        for typo in r["typos"]:
            print(f"    您是不是要找: {typo['query']} → {typo['got']} (expected {typo['expected']})")
        for wrong in r["typos_on_correct"]:
            print(f"    WRONG correction of a correct query: {wrong['query']} → {wrong['got']}")
        print()


def _wide(text: str) -> int:
    return sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")


def postgres_scratch(url: str, *, create: bool) -> str | None:
    """Create (or drop) the scratch database named in ``url``; None when the server does not answer."""
    import psycopg
    from psycopg import sql

    base = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            if create:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                        sql.Identifier(name)
                    )
                )
    except psycopg.OperationalError as error:
        print(f"PostgreSQL at {base} does not answer ({error.__class__.__name__}); skipping it.")
        return None
    return url


def _keep_stdlib_first() -> None:
    """This folder holds a module named ``inspect``; run as a script, the folder would come first on the import
    path and shadow the standard library's module of that name."""
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]


def main() -> None:
    _keep_stdlib_first()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--wagtail-articles", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=15, help="runs of each latency query")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run on one database only")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL scratch database")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        Path(args.out).write_text(json.dumps(run_child(args), ensure_ascii=False, default=str))
        return

    work = Path(tempfile.mkdtemp(prefix="zhengwu-bench-search-"))
    targets = [] if args.only == "postgresql" else [("sqlite", f"sqlite:///{work}/search.sqlite3")]
    if args.only != "sqlite" and not args.no_postgres and postgres_scratch(args.postgres, create=True):
        targets.append(("postgresql", args.postgres))
    results = []
    try:
        for name, url in targets:
            print(f"running on {name} …", flush=True)
            out = work / f"{name}.json"
            command = [
                sys.executable,
                __file__,
                "--child",
                "--database-url",
                url,
                "--data-dir",
                str(work / name),
                "--out",
                str(out),
                "--articles",
                str(args.articles),
                "--wagtail-articles",
                str(args.wagtail_articles),
                "--rounds",
                str(args.rounds),
            ]
            subprocess.run(command, check=True)
            results.append(json.loads(out.read_text()))
    finally:
        if any(name == "postgresql" for name, _url in targets) and not args.keep:
            postgres_scratch(args.postgres, create=False)
    report(results, args)


if __name__ == "__main__":
    main()
