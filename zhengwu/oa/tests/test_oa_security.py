"""公文: what each OA role must NOT be able to do (issue 11 “Bad input”; oa.md §1 — 涉密 documents never leave their
分送范围). Every refusal leaves the document as it was. Uses the county of test_workflow.py."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhengwu.core.models import AuditLog
from zhengwu.oa.models import IncomingDocument, IncomingState, OutgoingDocument, OutgoingStep
from zhengwu.oa.services import workflow as wf

from .test_workflow import County, _person, build_county, draft, fresh, issue, paragraphs, to_recheck

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("oa-security-data")


@pytest.fixture
def county(settings, data_dir, official_calendar, tmp_path) -> County:
    settings.DATA_DIR = data_dir
    settings.ZHENGWU_OA_SIGNER = "software"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_county(data_dir)


def _state(document: OutgoingDocument) -> tuple:
    d = fresh(document)
    return (d.step, d.signer_id, d.number_serial, d.seal_id, d.events.count(), d.revisions.count())


def _secret_notice(c: County):
    """A 秘密 document of the education bureau, sent to the health bureau only, and its received copy."""
    p = c.people
    document = draft(
        c,
        title="青川县教育局关于招生考试保密工作的通知",
        body=paragraphs("各考点要严格执行试卷保密管理规定。"),
        to_orgs=[c.health],
        secret_level="秘密",
        secret_term="6个月",
    )
    (copy,) = issue(c, document, reviewer=p.edu_reviewer, signer=p.edu_head, clerk=p.edu_clerk)
    return fresh(document), copy


# -- drafting, 核稿, 签发 --------------------------------------------------------------------------------------------


def test_clerk_can_neither_review_nor_sign(county):
    c, p = county, county.people
    doc = draft(c, actor=p.edu_liaison)
    with pytest.raises(ValidationError):  # a 文书 is not a 核稿人
        wf.submit_for_review(document=doc, actor=p.edu_liaison, reviewers=[p.edu_clerk])
    with pytest.raises(PermissionDenied):  # only the drafter sends it to 核稿
        wf.submit_for_review(document=doc, actor=p.edu_clerk, reviewers=[p.edu_reviewer])
    wf.submit_for_review(document=doc, actor=p.edu_liaison, reviewers=[p.edu_reviewer])
    before = _state(doc)
    with pytest.raises(PermissionDenied):
        wf.approve_review(document=doc, actor=p.edu_clerk)
    with pytest.raises(PermissionDenied):
        wf.edit_draft(document=doc, actor=p.edu_clerk, title=doc.title, body=paragraphs("文书改的稿。"))
    assert _state(doc) == before
    wf.approve_review(document=doc, actor=p.edu_reviewer)
    before = _state(doc)
    for person in (p.edu_clerk, p.edu_reviewer, p.edu_liaison):
        with pytest.raises(PermissionDenied):
            wf.sign(document=doc, actor=person, opinion="同意")
    assert _state(doc) == before and fresh(doc).step == OutgoingStep.SIGN


def test_reviewer_off_the_list_or_twice_is_refused(county):
    c, p = county, county.people
    doc = draft(c)
    wf.submit_for_review(document=doc, actor=p.edu_clerk, reviewers=[p.edu_reviewer, p.edu_head])
    other_reviewer = _person("qc_edu_reviewer2", "方科长", c.edu, "oa_reviewer")
    for outsider in (other_reviewer, p.gov_director):  # has the permission, but is not on this draft's list
        with pytest.raises(PermissionDenied):
            wf.approve_review(document=doc, actor=outsider)
        with pytest.raises(PermissionDenied):
            wf.edit_draft(document=doc, actor=outsider, title=doc.title, body=paragraphs("旁人改稿。"))
    wf.approve_review(document=doc, actor=p.edu_reviewer)
    before = _state(doc)
    with pytest.raises(PermissionDenied):
        wf.approve_review(document=doc, actor=p.edu_reviewer)
    assert _state(doc) == before and fresh(doc).step == OutgoingStep.REVIEW
    # a reviewer from another organization cannot even be chosen
    doc2 = draft(c, title="青川县教育局关于另一事项的通知")
    with pytest.raises(ValidationError):
        wf.submit_for_review(document=doc2, actor=p.edu_clerk, reviewers=[p.health_head])


def test_department_cannot_draft_in_another_name(county):
    c, p = county, county.people
    for org in (c.gov, c.office, c.health, c.town):
        with pytest.raises(PermissionDenied):
            draft(c, actor=p.edu_clerk, organization=org, title=f"以{org.name}名义起草")
    with pytest.raises(PermissionDenied):  # no drafting permission
        draft(c, actor=p.edu_plain)
    with pytest.raises(PermissionDenied):  # a county leader signs, but does not draft
        draft(c, actor=p.county_head, organization=c.gov)
    assert not OutgoingDocument.objects.exists()
    # the government's office may draft for the government
    assert draft(c, actor=p.gov_clerk, organization=c.gov).organization == c.gov


def test_bureau_head_cannot_sign_for_another_bureau_or_the_county(county):
    c, p = county, county.people
    health_doc = draft(c, actor=p.health_clerk, title="青川县卫生健康局关于冬季传染病防控的通知")
    wf.submit_for_review(document=health_doc, actor=p.health_clerk, reviewers=[p.health_head])
    wf.approve_review(document=health_doc, actor=p.health_head)
    gov_doc = draft(c, actor=p.gov_clerk, organization=c.gov, title="青川县人民政府关于春耕生产的通知")
    wf.submit_for_review(document=gov_doc, actor=p.gov_clerk, reviewers=[p.gov_director])
    wf.approve_review(document=gov_doc, actor=p.gov_director)
    for doc in (health_doc, gov_doc):
        before = _state(doc)
        for head in (p.edu_head, p.town_head):
            with pytest.raises(PermissionDenied):
                wf.sign(document=doc, actor=head, opinion="同意")
            with pytest.raises(PermissionDenied):
                wf.return_to(document=doc, actor=head, step=OutgoingStep.REVIEW, reason="越权退回")
        assert _state(doc) == before
    wf.sign(document=gov_doc, actor=p.county_head, opinion="同意")


def test_department_cannot_handle_another_departments_document(county):
    c, p = county, county.people
    doc = draft(c)
    to_recheck(doc, reviewer=p.edu_reviewer, signer=p.edu_head)
    outsiders = (p.health_clerk, p.gov_clerk, p.town_clerk, p.edu_liaison, p.edu_head)
    steps = [
        (OutgoingStep.RECHECK, lambda a: wf.recheck(document=doc, actor=a)),
        (OutgoingStep.REGISTER, lambda a: wf.register(document=doc, actor=a, copies=2)),
        (OutgoingStep.SEAL, lambda a: wf.apply_seal(document=doc, actor=a, seal=c.seals["QCJY"])),
        (OutgoingStep.DISTRIBUTE, lambda a: wf.distribute(document=doc, actor=a)),
    ]
    for step, act in steps:
        assert fresh(doc).step == step
        before = _state(doc)
        for person in outsiders:
            with pytest.raises(PermissionDenied):
                act(person)
            with pytest.raises(PermissionDenied):
                wf.return_to(document=doc, actor=person, step=OutgoingStep.REVIEW, reason="越权退回")
        assert _state(doc) == before
        act(p.edu_clerk)
    assert fresh(doc).step == OutgoingStep.ISSUED
    assert not IncomingDocument.objects.filter(source=doc).exclude(organization=c.town).exists()


def test_department_cannot_handle_the_county_governments_document(county):
    c, p = county, county.people
    doc = draft(c, actor=p.gov_clerk, organization=c.gov, title="青川县人民政府关于防汛工作的通知")
    to_recheck(doc, reviewer=p.gov_director, signer=p.county_head)
    before = _state(doc)
    for person in (p.edu_clerk, p.health_clerk, p.town_clerk):
        with pytest.raises(PermissionDenied):
            wf.recheck(document=doc, actor=person)
    assert _state(doc) == before


def test_department_clerk_cannot_return_the_county_governments_document(county):
    c, p = county, county.people
    doc = draft(c, actor=p.gov_clerk, organization=c.gov, title="青川县人民政府关于防汛工作的通知")
    to_recheck(doc, reviewer=p.gov_director, signer=p.county_head)
    before = _state(doc)
    assert p.edu_clerk not in wf.current_actors(fresh(doc))
    with pytest.raises(PermissionDenied):
        wf.return_to(document=doc, actor=p.edu_clerk, step=OutgoingStep.REVIEW, reason="教育局文书越权退回")
    assert _state(doc) == before


# -- 收文 ------------------------------------------------------------------------------------------------------------


def test_cannot_sign_for_or_handle_another_organizations_copy(county):
    c, p = county, county.people
    doc = draft(c, to_orgs=[c.health, c.town])
    copies = {
        i.organization_id: i
        for i in issue(c, doc, reviewer=p.edu_reviewer, signer=p.edu_head, clerk=p.edu_clerk)
    }
    health_copy = copies[c.health.pk]
    for person in (p.town_clerk, p.edu_clerk, p.gov_clerk, p.health_head):
        with pytest.raises(PermissionDenied):
            wf.receive(incoming=health_copy, actor=person)
    assert fresh(health_copy).state == IncomingState.DELIVERED and fresh(health_copy).received_by is None
    wf.receive(incoming=health_copy, actor=p.health_clerk)
    for person in (p.town_clerk, p.edu_clerk):
        with pytest.raises(PermissionDenied):
            wf.register_incoming(incoming=health_copy, actor=person)
        with pytest.raises(PermissionDenied):
            wf.return_incoming(incoming=health_copy, actor=person, reason="越权初审退回")
    assert fresh(health_copy).state == IncomingState.RECEIVED


def test_secret_document_is_invisible_outside_its_scope(county):
    c, p = county, county.people
    document, copy = _secret_notice(c)
    # county-wide staff without superuser: a county leader, the county's organization administrator
    county_admin = _person("qc_county_admin", "刘管理员", c.gov, "org_admin")
    for person in (p.county_head, county_admin, p.gov_clerk, p.town_clerk):
        assert not wf.visible_outgoing(person).filter(pk=document.pk).exists(), person.username
        assert not wf.visible_incoming(person).filter(pk=copy.pk).exists(), person.username
        assert not wf.search(wf.visible_outgoing(person), "试卷保密").exists()
    # the recipient's staff without oa.handle_documents
    health_plain = _person("qc_health_plain", "马干部", c.health)
    for person in (p.health_head, health_plain):
        assert not wf.visible_incoming(person).filter(pk=copy.pk).exists(), person.username
    # inside the scope
    assert wf.visible_incoming(p.health_clerk).filter(pk=copy.pk).exists()
    assert wf.visible_outgoing(p.edu_clerk).filter(pk=document.pk).exists()
    # a 涉密 incoming copy cannot be passed outside its organization
    wf.receive(incoming=copy, actor=p.health_clerk)
    wf.register_incoming(incoming=copy, actor=p.health_clerk)
    with pytest.raises(ValidationError):
        wf.route(incoming=copy, actor=p.health_clerk, mode="read", readers=[p.edu_head])
    wf.route(incoming=copy, actor=p.health_clerk, mode="read", readers=[p.health_head])
    assert wf.visible_incoming(p.health_head).filter(pk=copy.pk).exists()  # given to them by name


def test_secret_draft_is_invisible_to_issuer_staff_without_any_oa_role(county):
    c, p = county, county.people
    document, _copy = _secret_notice(c)
    assert not p.edu_plain.has_perm("oa.draft_documents") and not p.edu_plain.has_perm("oa.handle_documents")
    assert not wf.visible_outgoing(p.edu_plain).filter(pk=document.pk).exists()


def test_secret_document_is_not_forwarded_and_the_attempt_is_audited(county):
    c, p = county, county.people
    _document, copy = _secret_notice(c)
    wf.receive(incoming=copy, actor=p.health_clerk)
    with pytest.raises(PermissionDenied) as error:
        wf.forward(incoming=copy, actor=p.health_clerk, organization=c.town)
    assert "涉密" in str(error.value)
    row = AuditLog.objects.get(action="oa.incoming.forward_refused")
    assert row.target_id == str(copy.pk) and row.detail["to"] == c.town.name
    assert not IncomingDocument.objects.filter(organization=c.town).exists()
    # a 涉密 document is not addressed outside the platform either
    with pytest.raises(ValidationError):
        draft(c, secret_level="秘密", secret_term="1年", to_outside="某市教育局")


# -- the admin pages ---------------------------------------------------------------------------------------------


def test_admin_pages_answer_404_to_who_may_not_see(county, client):
    c, p = county, county.people
    ordinary = draft(c, to_orgs=[c.health])
    secret, copy = _secret_notice(c)
    cases = [
        (p.health_clerk, f"/admin/oa/outgoing/{ordinary.pk}/"),  # another bureau's draft
        (p.health_clerk, f"/admin/oa/outgoing/{ordinary.pk}/file.pdf"),
        (p.town_clerk, f"/admin/oa/outgoing/{secret.pk}/"),
        (p.county_head, f"/admin/oa/outgoing/{secret.pk}/"),
        (p.county_head, f"/admin/oa/outgoing/{secret.pk}/file.pdf"),
        (p.county_head, f"/admin/oa/incoming/{copy.pk}/"),
        (p.health_head, f"/admin/oa/incoming/{copy.pk}/"),
        (p.town_clerk, f"/admin/oa/incoming/{copy.pk}/"),
        (p.edu_clerk, f"/admin/oa/incoming/{copy.pk}/"),  # the sender sees receipts, not the recipient's file
    ]
    for person, url in cases:
        client.force_login(person)
        assert client.get(url).status_code == 404, (person.username, url)
        if not url.endswith(".pdf"):
            assert client.post(url, {"action": "0"}).status_code == 404, (person.username, url)
    client.force_login(p.edu_clerk)
    assert client.get(f"/admin/oa/outgoing/{ordinary.pk}/").status_code == 200
    client.force_login(p.health_clerk)
    assert client.get(f"/admin/oa/incoming/{copy.pk}/").status_code == 200
    assert fresh(copy).state == IncomingState.DELIVERED


def test_posting_an_action_the_user_does_not_have_changes_nothing(county, client):
    c, p = county, county.people
    doc = draft(c, to_orgs=[c.health])
    to_recheck(doc, reviewer=p.edu_reviewer, signer=p.edu_head)
    before = _state(doc)
    url = f"/admin/oa/outgoing/{doc.pk}/"
    # the liaison sees the bureau's draft but may not 复核 it
    client.force_login(p.edu_liaison)
    assert client.get(url).status_code == 200
    for index in ("0", "1", "7", "-1", "x"):
        response = client.post(
            url, {"action": index, "a0-opinion": "复核无误", f"a{index}-opinion": "复核无误"}
        )
        assert response.status_code in (302, 400, 403)
    assert _state(doc) == before
    # the clerk has 复核 and 退回 only: an index past them is refused
    client.force_login(p.edu_clerk)
    client.post(url, {"action": "5", "a5-copies": "3"})
    assert _state(doc) == before
    # the received copy: the bureau head sees it but may not sign for it
    (copy,) = issue(
        c,
        draft(c, title="青川县教育局关于第二件事的通知", to_orgs=[c.health]),
        reviewer=p.edu_reviewer,
        signer=p.edu_head,
        clerk=p.edu_clerk,
    )
    client.force_login(p.health_head)
    incoming_url = f"/admin/oa/incoming/{copy.pk}/"
    assert client.get(incoming_url).status_code == 200
    for index in ("0", "1", "3"):
        client.post(incoming_url, {"action": index})
    copy = fresh(copy)
    assert copy.state == IncomingState.DELIVERED and copy.received_by is None
    assert not copy.events.exclude(action="deliver").exists()


def test_a_leader_above_a_joint_issuer_cannot_countersign_for_it(county):
    """会签 is by each joint issuer's own head: the county's leader, above every bureau, does not sign in their place."""
    c, p = county, county.people
    doc = draft(c, co_issuers=[c.health])
    wf.submit_for_review(document=doc, actor=doc.drafter, reviewers=[p.edu_reviewer])
    wf.approve_review(document=doc, actor=p.edu_reviewer)
    assert fresh(doc).step == OutgoingStep.COUNTERSIGN
    assert p.county_head not in wf.current_actors(fresh(doc))
    with pytest.raises(PermissionDenied):
        wf.countersign(document=doc, actor=p.county_head, opinion="代为会签")
    assert not fresh(doc).countersigns.filter(signed_at__isnull=False).exists()
    wf.countersign(document=doc, actor=p.health_head, opinion="同意")
    assert fresh(doc).step == OutgoingStep.SIGN
