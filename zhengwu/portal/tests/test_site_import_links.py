"""改版迁移, done when: after importing a site, inspecting the new site reports no broken link the old one did not have.

An old site of the inspection corpus (its copy with planted defects, broken links among them) is served over HTTP and
imported; the new site is served by Django's live server; the inspector runs on both, and every broken link of the
new site must be the image of a broken link of the old one (an old URL mapped through the import's report, or the
same URL when it is outside both sites)."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from zhengwu.core.models import OrganizationKind
from zhengwu.inspection.checks.typos import TermMatcher
from zhengwu.inspection.corpus import AS_OF, FAMILIES, build_corpus, external_resources
from zhengwu.inspection.corpus.serve import Server
from zhengwu.inspection.crawler import Reason
from zhengwu.inspection.engine import inspect_site_async
from zhengwu.portal.rules import related_links

CREDIT = "11410123MB0000001X"


@pytest.fixture(autouse=True)
def any_host(settings):
    settings.ALLOWED_HOSTS = ["*"]


def inspect(url: str):
    return asyncio.run(inspect_site_async(url, as_of=AS_OF, terms=TermMatcher.build([]), parse_aside=False))


def broken_targets(report) -> set[str]:
    return {f.target for f in report.findings if f.check == "broken_link" and f.evidence.get("counted")}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("code", ["trs", "hanweb", "kpy", "php", "plain"])
def test_the_new_site_has_no_broken_link_the_old_one_did_not_have(make_org, live_server, tmp_path, code):
    make_org("青山县人民政府", kind=OrganizationKind.GOVERNMENT, code="QSX", credit_code=CREDIT)
    new_base = live_server.url
    host = urlsplit(new_base).netloc
    with Server(external_resources()) as outside:
        family = next(f for f in FAMILIES if f.code == code)
        site = next(s for s in build_corpus(external_base=outside.base, families=(family,)) if not s.clean)
        with Server(site.resources) as old:
            old_report = inspect(old.base + "/")
            out = tmp_path / "report.json"
            call_command("portal", "import-site", old.base + "/", "--site", host, "--org", CREDIT,
                         "--as-of", AS_OF.isoformat(), "--report", str(out), "--timeout", "5")  # fmt: skip
            mapping = json.loads(out.read_text(encoding="utf-8"))
        # The old site is switched off once migrated: a link the import left pointing at it now fails.
        new_report = inspect(new_base + "/")

    old_broken = broken_targets(old_report)
    assert old_broken, "the defect copy has broken links to compare with"
    mapped = {row["old_url"]: row["new_url"] for row in mapping["pages"] + mapping["attachments"]}

    def image(target: str) -> set[str]:
        # A broken old link may appear in the new site as itself (outside links, left as they were), as the new URL
        # the report gives, or as the same path on the new host (the old path, which answers 301 there).
        found = {target}
        if target in mapped:
            found.add(mapped[target])
        if target.startswith(old.base):
            found.add(new_base + path_of(target))
        return found

    allowed = set().union(*(image(t) for t in old_broken))
    new_broken = broken_targets(new_report)
    assert new_report.pages_crawled >= len({row["new_url"] for row in mapping["pages"]}) // 2
    # The national portals every county portal links to (相关链接) are outside the test machine's reach: they are
    # the only links of the new site's own chrome that may fail here, and only as unreachable hosts.
    national = {link["url"] for link in related_links()}
    unreachable = {
        f.target for f in new_report.findings if f.check == "broken_link" and f.target in national
        and f.evidence["reason"] in (Reason.DNS, Reason.CONNECT, Reason.TIMEOUT)
    }  # fmt: skip
    assert new_broken - unreachable <= allowed, sorted(new_broken - unreachable - allowed)
