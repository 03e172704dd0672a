"""The demo county's 公文: the county government (through its office) and three departments exchanging a 通知, a
请示 with its 批复, and a joint 意见, each sealed with its issuer's electronic seal (the development key), and the
received copies at every step of 收文 — signed for, registered, being read, waiting for a 批示, answered."""

from __future__ import annotations

import datetime as dt

from zhengwu.core.registry import DemoContext, demo_step, register_demo_accounts

ACCOUNTS = [
    ("zfb_clerk", "杨文书", "oa_clerk", "ZFB"),
    ("zfb_director", "何主任", "oa_reviewer", "ZFB"),
    ("fgw_clerk", "林文书", "oa_clerk", "FGW"),
    ("fgw_head", "高局长", "unit_head", "FGW"),
    ("nync_clerk", "罗文书", "oa_clerk", "NYNCJ"),
    ("nync_head", "梁局长", "unit_head", "NYNCJ"),
    ("czj_clerk", "宋文书", "oa_clerk", "CZJ"),
    ("czj_head", "唐局长", "unit_head", "CZJ"),
]
register_demo_accounts(ACCOUNTS)

# organization short code → (机关代字, 收文代字, office short code, seal holder)
PROFILES = {
    "SFX": ("示政", "县府收", "ZFB", "zfb_clerk"),
    "ZFB": ("示政办发", "县府办收", None, "zfb_clerk"),
    "FGW": ("示发改", "发改收", None, "fgw_clerk"),
    "NYNCJ": ("示农", "农业收", None, "nync_clerk"),
    "CZJ": ("示财", "财政收", None, "czj_clerk"),
}


def _paragraphs(*texts: str) -> list[dict]:
    return [{"type": "paragraph", "text": t} for t in texts]


@demo_step(80, "公文：通知、请示和批复、联合意见")
def build_documents(ctx: DemoContext) -> None:
    from django.utils import timezone

    from zhengwu.core.models import Organization, Role, Staff
    from zhengwu.core.services.staff import assign_roles, sync_roles

    from .models import IncomingDocument, IssuerProfile, OutgoingDocument, Seal
    from .services import workflow as wf
    from .services.certs import parse_certificate
    from .services.signer import configured_signer, default_seal_png

    if OutgoingDocument.objects.exists():
        return
    wf.load_workflow_rules()
    sync_roles()
    orgs = {o.code: o for o in Organization.objects.filter(code__in=["SFX", "ZFB", "FGW", "NYNCJ", "CZJ"])}
    if len(orgs) < 5:
        return
    people: dict[str, Staff] = {}
    for username, name, role, org in ACCOUNTS:
        staff = Staff.objects.filter(username=username).first()
        if staff is None:
            from zhengwu.core.demo_core import DEMO_PASSWORD

            staff = Staff(
                username=username, display_name=name, organization=orgs[org], email=f"{username}@example.org"
            )
            staff.set_password(DEMO_PASSWORD)
            staff.save()
            assign_roles(staff=staff, roles=[Role.objects.get(code=role)], actor=None)
        people[username] = staff
    leader = Staff.objects.filter(username="leader").first()
    fgw_liaison = Staff.objects.filter(username="fgw_liaison").first()

    certificate = parse_certificate(configured_signer().certificate())
    today = timezone.localdate()
    valid_to = min(certificate.not_after.date(), today + dt.timedelta(days=3 * 365))
    for code, (doc_code, in_code, office, holder) in PROFILES.items():
        IssuerProfile.objects.update_or_create(
            organization=orgs[code],
            defaults={
                "document_code": doc_code,
                "incoming_code": in_code,
                "office": orgs[office] if office else None,
            },
        )
        Seal.objects.get_or_create(
            es_id=f"{orgs[code].credit_code}0001",
            defaults={
                "organization": orgs[code],
                "name": f"{orgs[code].name}公文专用章" if code != "SFX" else f"{orgs[code].name}印",
                "image": default_seal_png(orgs[code].name),
                "holder": people[holder],
                "valid_from": max(certificate.not_before.date(), today - dt.timedelta(days=365)),
                "valid_to": valid_to,
            },
        )

    def issue(document, *, reviewer, signer, clerk, co_signers=()):
        wf.submit_for_review(document=document, actor=document.drafter, reviewers=[reviewer])
        wf.approve_review(document=document, actor=reviewer, opinion="同意，请领导签发。")
        for person in co_signers:
            wf.countersign(document=document, actor=person, opinion="同意会签。")
        wf.sign(document=document, actor=signer, opinion="同意印发。")
        wf.recheck(document=document, actor=clerk)
        wf.register(document=document, actor=clerk, copies=10)
        seal = wf.usable_seals(document).first()
        wf.apply_seal(document=document, actor=clerk, seal=seal)
        return wf.distribute(document=document, actor=clerk)

    # 1. A 通知 from the county government's office to the three departments: answered, being read, not yet signed for.
    notice = wf.create_draft(
        actor=people["zfb_clerk"],
        kind="通知",
        title="示范县人民政府办公室关于做好2027年元旦春节期间安全生产工作的通知",
        body=[
            *_paragraphs(
                "各有关单位：为切实做好元旦春节期间安全生产工作，确保全县人民群众过上欢乐祥和的节日，现就有关事项通知如下。"
            ),
            {"type": "heading", "level": 1, "text": "压实安全生产责任"},
            *_paragraphs("各单位要落实安全生产主体责任，主要负责人要亲自研究部署，逐级明确责任人。"),
            {"type": "heading", "level": 1, "text": "开展隐患排查整治"},
            *_paragraphs("各单位要在元旦前完成一轮隐患排查，建立问题清单，明确整改时限，确保整改到位。"),
            {"type": "heading", "level": 1, "text": "严格值班值守"},
            *_paragraphs("节日期间实行领导带班和24小时值班制度，遇有重大情况及时报告县人民政府总值班室。"),
        ],
        to_orgs=[orgs["FGW"], orgs["NYNCJ"], orgs["CZJ"]],
        cc_outside="示范县人民武装部",
        urgency="加急",
        note="联系人：杨文书，电话：0000-1234567",
    )
    copies = {
        i.organization.code: i
        for i in issue(notice, reviewer=people["zfb_director"], signer=leader, clerk=people["zfb_clerk"])
    }
    fgw = copies["FGW"]
    wf.receive(incoming=fgw, actor=people["fgw_clerk"])
    wf.register_incoming(incoming=fgw, actor=people["fgw_clerk"])
    wf.route(incoming=fgw, actor=people["fgw_clerk"], mode="read", readers=[people["fgw_head"], fgw_liaison])
    wf.mark_read(incoming=fgw, actor=people["fgw_head"], comment="请各股室认真落实。")
    wf.reply(incoming=fgw, actor=people["fgw_clerk"], text="已传达到各股室，隐患排查于12月28日前完成。")
    nync = copies["NYNCJ"]
    wf.receive(incoming=nync, actor=people["nync_clerk"])
    wf.register_incoming(incoming=nync, actor=people["nync_clerk"])
    wf.route(incoming=nync, actor=people["nync_clerk"], mode="read", readers=[people["nync_head"]])

    # 2. A 请示 from the agriculture bureau to the county government, and the government's 批复.
    request = wf.create_draft(
        actor=people["nync_clerk"],
        kind="请示",
        title="示范县农业农村局关于申请高标准农田建设配套资金的请示",
        body=_paragraphs(
            "县人民政府：",
            "今年我县承担高标准农田建设任务三万亩，按照省级要求，县级需落实配套资金。经测算，尚缺配套资金四百五十万元。",
            "为确保项目按期实施，恳请县人民政府统筹安排配套资金四百五十万元。",
            "妥否，请批示。",
        ),
        to_orgs=[orgs["SFX"]],
        cc_orgs=[orgs["CZJ"]],
        note="联系人：罗文书，电话：0000-7654321",
    )
    wf.submit_for_review(document=request, actor=people["nync_clerk"], reviewers=[people["nync_head"]])
    wf.approve_review(document=request, actor=people["nync_head"])
    wf.sign(document=request, actor=people["nync_head"], opinion="同意报县人民政府。")
    wf.recheck(document=request, actor=people["nync_clerk"])
    wf.register(document=request, actor=people["nync_clerk"], copies=3)
    wf.apply_seal(document=request, actor=people["nync_clerk"], seal=wf.usable_seals(request).first())
    received = {i.organization.code: i for i in wf.distribute(document=request, actor=people["nync_clerk"])}
    gov = received["SFX"]
    wf.receive(incoming=gov, actor=people["zfb_clerk"])
    wf.register_incoming(incoming=gov, actor=people["zfb_clerk"])
    wf.route(
        incoming=gov,
        actor=people["zfb_clerk"],
        mode="instruct",
        proposal="拟请县财政局会同县农业农村局研究提出资金安排意见，报县长审定。",
        instructor=leader,
    )
    wf.instruct(
        incoming=gov,
        actor=leader,
        instruction="同意。请县财政局牵头，县农业农村局配合，统筹安排。",
        lead_unit=orgs["CZJ"],
        assist_units=[orgs["NYNCJ"]],
    )
    reply = wf.create_draft(
        actor=people["zfb_clerk"],
        organization=orgs["SFX"],
        kind="批复",
        title="示范县人民政府关于同意安排高标准农田建设配套资金的批复",
        body=_paragraphs(
            "县农业农村局：",
            f"你局《关于申请高标准农田建设配套资金的请示》（{OutgoingDocument.objects.get(pk=request.pk).number}）收悉。经研究，批复如下：",
            "一、同意安排高标准农田建设县级配套资金四百五十万元，由县财政局统筹解决。",
            "二、你局要加强项目资金管理，专款专用，确保工程质量和进度。",
        ),
        to_orgs=[orgs["NYNCJ"]],
        cc_orgs=[orgs["CZJ"]],
    )
    issue(reply, reviewer=people["zfb_director"], signer=leader, clerk=people["zfb_clerk"])
    wf.reply(
        incoming=gov,
        actor=people["zfb_clerk"],
        text=f"已以{OutgoingDocument.objects.get(pk=reply.pk).number}批复。",
    )

    # 3. A joint 意见 of the development and reform commission and the finance bureau, waiting for the finance
    # bureau's 会签; and one received copy waiting to be signed for at the finance bureau (from the notice above).
    joint = wf.create_draft(
        actor=people["fgw_clerk"],
        kind="意见",
        title="示范县发展和改革委员会 示范县财政局关于加强政府投资项目管理的意见",
        body=_paragraphs(
            "各乡镇人民政府、街道办事处，县直各单位：",
            "为进一步规范政府投资项目管理，提高资金使用效益，现提出如下意见。",
            "政府投资项目应当严格履行审批程序，未经审批的项目不得安排资金。",
        ),
        to_orgs=[orgs["ZFB"]],
        co_issuers=[orgs["CZJ"]],
    )
    wf.submit_for_review(document=joint, actor=people["fgw_clerk"], reviewers=[people["fgw_head"]])
    wf.approve_review(document=joint, actor=people["fgw_head"], opinion="同意，送财政局会签。")
    ctx.log(
        f"公文：发文 {OutgoingDocument.objects.count()} 件，收文 {IncomingDocument.objects.count()} 件，"
        f"印章 {Seal.objects.count()} 枚"
    )
