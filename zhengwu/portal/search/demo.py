"""The demo county's search index: built once all demo content exists (demo pages are added without publish
signals), with a few recommendations staff would set up."""

from __future__ import annotations

from zhengwu.core.registry import DemoContext, demo_step

RECOMMENDATIONS = [
    ("政策文件、文件、政策", "zcwj", "县政府及部门发布的政策文件，可按文号、发文机关检索。"),
    ("政策解读、解读", "zcjd", "对县政府及部门政策文件的解读。"),
    ("通知、公告", "tzgg", "县政府及部门发布的通知公告。"),
]


@demo_step(95, "站内搜索索引")
def build_search_index(ctx: DemoContext) -> None:
    from wagtail.models import Site

    from ..models import ColumnPage, SearchRecommendation
    from .segment import reload_dictionary
    from .services import indexable_page_ids, sync_pages
    from .synonyms import load_rules

    load_rules()  # as ``zhengwu setup`` does (idempotent)
    reload_dictionary()  # the demo's organizations were created after this process loaded the dictionary
    result = sync_pages(page_ids=sorted(indexable_page_ids()))
    portal = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if portal is not None:
        for keywords, slug, description in RECOMMENDATIONS:
            column = ColumnPage.objects.child_of(portal.root_page).filter(slug=slug).first()
            if column is not None and not SearchRecommendation.objects.filter(page=column).exists():
                SearchRecommendation.objects.create(
                    keywords=keywords, site=portal, page=column, description=description
                )
    ctx.log(f"搜索索引 {result.indexed} 条")
