"""The demo county's 在线访谈, 意见征集 and 调查问卷 (issue 9 item 9): two interviews (one archived, one upcoming),
an open and a closed consultation, a survey with answers — the same on every run, and shown on the portal."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhengwu.core.registry import DemoContext


def build(scale=0.02):
    from zhengwu.core.demo_core import build_organizations
    from zhengwu.interaction.demo_engagement import build_engagement

    ctx = DemoContext(scale=scale)
    build_organizations(ctx)
    build_engagement(ctx)
    return ctx


def snapshot():
    from zhengwu.interaction.models import Consultation, Interview, SurveyAnswer

    return (
        sorted(Interview.objects.values_list("title", "state")),
        sorted(Consultation.objects.values_list("title", "closes_on")),
        sorted(SurveyAnswer.objects.values_list("question__text", "choices", "score", "text")),
    )


@pytest.mark.django_db
def test_demo_engagement_contents():
    from zhengwu.interaction.models import Consultation, Interview, Survey
    from zhengwu.interaction.selectors.engagement import consultation_figures, survey_results

    build()
    states = sorted(Interview.objects.values_list("state", flat=True))
    assert states == ["ended", "upcoming"]
    archived = Interview.objects.get(state="ended")
    assert archived.summary and archived.entries.count() >= 5
    assert all(g.photo_id for g in archived.guests.all())
    today = timezone.localdate()
    closed = Consultation.objects.get(closes_on__lt=today)
    opened = Consultation.objects.get(closes_on__gte=today)
    assert opened.is_open() and closed.feedback_published_at is not None
    figures = consultation_figures(closed)
    assert (figures.received, figures.adopted, figures.partly, figures.not_adopted) == (7, 3, 2, 1)
    # Every comment not adopted (wholly or partly) carries its reason.
    assert not closed.comments.filter(adoption__in=["partly", "not_adopted"], adoption_reason="").exists()
    survey = Survey.objects.get()
    total, results = survey_results(survey)
    assert survey.is_open() and total >= 12
    assert sum(o.count for o in results[0].options) == total


@pytest.mark.django_db
def test_demo_engagement_is_deterministic():
    from zhengwu.interaction.demo_engagement import build_engagement
    from zhengwu.interaction.models import Consultation, Interview, Survey

    ctx = build()
    first = snapshot()
    Survey.objects.all().delete()
    Consultation.objects.all().delete()
    Interview.objects.all().delete()
    again = DemoContext(scale=0.02)
    again.objects["orgs"] = ctx.objects["orgs"]
    build_engagement(again)
    assert snapshot() == first
