"""互动交流 on the portal: its entrance (``/hudong/``) and the mailboxes, 在线访谈, 意见征集 and 调查问卷 below it
appear in the header navigation, the 网站地图 and sitemap.xml of the county portal; a menu column of the 互动 kind
leads to them."""

from __future__ import annotations

from zhengwu.portal.models import ColumnKind
from zhengwu.portal.sections import PublicSection, SectionLink, register_public_section

SECTION = PublicSection(
    name="互动交流",
    prefixes=("/hudong/", "/xinxiang/"),
    entrance="engagement_index",
    description="领导信箱、在线访谈、意见征集和调查问卷",
    column_kind=ColumnKind.INTERACTION,
    links=(
        SectionLink("领导信箱", "mailbox_index"),
        SectionLink("来信查询", "mailbox_lookup"),
        SectionLink("在线访谈", "engagement_interviews"),
        SectionLink("意见征集", "engagement_consultations"),
        SectionLink("调查问卷", "engagement_surveys"),
    ),
)


def register() -> None:
    register_public_section(SECTION)
