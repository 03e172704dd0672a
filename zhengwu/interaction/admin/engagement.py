"""Staff pages of 在线访谈, 意见征集 and 调查问卷: editing through scoped viewsets, and one working page each —
the interview console (moderate, publish questions and answers, start and end), the consultation's comments and
采纳情况, the survey's text answers, results and .xlsx. Every action is an ordinary POST to a service."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from zhengwu.core.scoping import (
    OrgScopedPermissionPolicy,
    OrgScopedViewSetMixin,
    get_object_in_scope_or_404,
    limit_organization_choices,
)

from ..models.engagement import (
    Adoption,
    Consultation,
    ConsultationComment,
    EntryRole,
    Interview,
    InterviewGuest,
    InterviewQuestion,
    InterviewState,
    Survey,
    SurveyAnswer,
)
from ..selectors import engagement as selectors
from ..services import consultations, interviews, surveys


class ScopedOrgForm(WagtailAdminModelForm):
    """The organization chooser offers only the staff member's own subtree."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "organization" in self.fields and self.for_user is not None:
            limit_organization_choices(self.fields["organization"], self.for_user)


class InterviewForm(ScopedOrgForm):
    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "预计结束时间应晚于访谈时间。")
        return data


class ConsultationForm(ScopedOrgForm):
    shortened_confirmed = forms.BooleanField(
        label="已在征集说明中写明缩短征求意见期限的理由",
        required=False,
        help_text="重大行政决策草案征求意见期限少于 30 日时须勾选。",
    )

    def clean(self):
        data = super().clean()
        try:
            consultations.check_dates(opens_on=data.get("opens_on"), closes_on=data.get("closes_on"))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field, errors)
            return data
        warning = consultations.period_warning(
            opens_on=data.get("opens_on"),
            closes_on=data.get("closes_on"),
            is_major_decision=bool(data.get("is_major_decision")),
        )
        if warning and not data.get("shortened_confirmed"):
            self.add_error("shortened_confirmed", warning)
        return data


class SurveyForm(ScopedOrgForm):
    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", "截止时间应晚于开始时间。")
        questions = self.formsets.get("questions")
        if questions is not None and questions.is_valid():
            for child in questions.forms:
                row = getattr(child, "cleaned_data", None) or {}
                if not row or row.get("DELETE"):
                    continue
                options = [line for line in (row.get("options_text") or "").splitlines() if line.strip()]
                if row.get("kind") in ("single", "multiple") and len(options) < 2:
                    child.add_error("options_text", "单选、多选题至少需要两个选项，每行一个。")
                    self.add_error(None, "有题目的设置需要修改，请查看下面的提示。")
                if row.get("kind") == "scale" and row.get("scale_min", 1) >= row.get("scale_max", 5):
                    child.add_error("scale_max", "最高分应大于最低分。")
                    self.add_error(None, "有题目的设置需要修改，请查看下面的提示。")
        return data


def _link(url_name: str, label: str) -> TitleColumn:
    """A column linking each row to its working page."""
    return TitleColumn("work", label="办理", accessor=lambda obj: label, url_name=url_name)


class EngagementViewSet(OrgScopedViewSetMixin, ModelViewSet):
    add_to_admin_menu = False
    scope_org_field = "organization"


for _model in (Interview, Consultation, Survey):
    register_permission_policy(_model, OrgScopedPermissionPolicy(_model, org_field="organization"))


class InterviewViewSet(EngagementViewSet):
    model = Interview
    icon = "user"
    menu_label = "在线访谈"
    list_filter = ["state", "organization"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("organization"),
            FieldPanel("title"),
            FieldPanel("intro"),
            FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
            FieldPanel("is_published"),
            InlinePanel(
                "guests",
                label="访谈嘉宾",
                min_num=1,
                panels=[
                    FieldPanel("name"),
                    FieldPanel("position"),
                    FieldPanel("photo"),
                    FieldPanel("sort_order"),
                ],
            ),
            FieldPanel("summary"),
        ],
        base_form_class=InterviewForm,
    )

    @property
    def list_display(self):
        return [
            "title",
            "organization",
            "starts_at",
            "state",
            _link("engagement_interview_console", "主持台"),
        ]


class ConsultationViewSet(EngagementViewSet):
    model = Consultation
    icon = "doc-full"
    menu_label = "意见征集"
    list_filter = ["organization", "is_major_decision"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("organization"),
            FieldPanel("title"),
            FieldPanel("explanation"),
            FieldPanel("draft"),
            FieldPanel("is_major_decision"),
            FieldRowPanel([FieldPanel("opens_on"), FieldPanel("closes_on")]),
            FieldPanel("shortened_confirmed"),
            FieldPanel("contact"),
            FieldPanel("is_published"),
        ],
        base_form_class=ConsultationForm,
    )

    @property
    def list_display(self):
        return [
            "title",
            "organization",
            "opens_on",
            "closes_on",
            _link("engagement_consultation_manage", "意见和采纳情况"),
        ]


class SurveyViewSet(EngagementViewSet):
    model = Survey
    icon = "form"
    menu_label = "调查问卷"
    list_filter = ["organization"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("organization"),
            FieldPanel("title"),
            FieldPanel("intro"),
            FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
            FieldPanel("identify_by"),
            FieldPanel("results_public"),
            FieldPanel("is_published"),
            InlinePanel(
                "questions",
                label="题目",
                min_num=1,
                panels=[
                    FieldRowPanel([FieldPanel("sort_order"), FieldPanel("kind"), FieldPanel("required")]),
                    FieldPanel("text"),
                    FieldPanel("options_text"),
                    FieldRowPanel([FieldPanel("scale_min"), FieldPanel("scale_max")]),
                ],
            ),
        ],
        base_form_class=SurveyForm,
    )

    @property
    def list_display(self):
        return [
            "title",
            "organization",
            "opens_at",
            "closes_at",
            _link("engagement_survey_manage", "结果和审核"),
        ]


interview_viewset = InterviewViewSet("engagement_interviews_admin", url_prefix="engagement/interviews")
consultation_viewset = ConsultationViewSet(
    "engagement_consultations_admin", url_prefix="engagement/consultations"
)
survey_viewset = SurveyViewSet("engagement_surveys_admin", url_prefix="engagement/surveys")


# -- working pages ----------------------------------------------------------------------------------------------


class EngagementPage(WagtailAdminTemplateMixin, View):
    header_icon = "group"
    model: type = Interview
    permission = ""
    index_url_name = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        # Outside the staff member's organization subtree: as if it did not exist.
        self.object = get_object_in_scope_or_404(self.model.objects.all(), request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return f"{self.page_title}：{self.object}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": self.model._meta.verbose_name},
            {"url": "", "label": str(self.object)},
        ]

    def done(self, message: str = "") -> HttpResponseRedirect:
        if message:
            messages.success(self.request, message)
        return HttpResponseRedirect(self.request.path)

    def failed(self, exc: ValidationError) -> HttpResponseRedirect:
        for message in exc.messages:
            messages.error(self.request, message)
        return HttpResponseRedirect(self.request.path)


def _pk(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None


class InterviewConsoleView(EngagementPage):
    template_name = "interaction/engagement/admin/interview_console.html"
    page_title = "访谈主持台"
    model = Interview
    permission = interviews.PERMISSION
    index_url_name = "engagement_interviews_admin:index"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        interview = self.object
        return self.render_to_response(
            self.get_context_data(
                interview=interview,
                pending=selectors.moderation_queue(interview),
                approved=selectors.approved_questions(interview).filter(entries__isnull=True),
                entries=interview.entries.order_by("pk"),
                guests=interview.guests.all(),
                token=uuid.uuid4().hex,
                states=InterviewState.choices,
            )
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        interview = self.object
        action = request.POST.get("action", "")
        token = request.POST.get("token", "")
        try:
            if action in ("approve", "reject"):
                question = InterviewQuestion.objects.get(interview=interview, pk=_pk(request, "question"))
                interviews.moderate_question(
                    question=question, approve=action == "approve", actor=request.user
                )
                return self.done("已通过提问。" if action == "approve" else "已不予公开。")
            if action == "publish_question":
                question = InterviewQuestion.objects.get(interview=interview, pk=_pk(request, "question"))
                interviews.publish_entry(
                    interview=interview,
                    actor=request.user,
                    role=EntryRole.QUESTION,
                    question=question,
                    content=request.POST.get("content", ""),
                    client_token=token,
                )
                return self.done("提问已发布到直播。")
            if action == "publish":
                role = request.POST.get("role", "")
                guest = InterviewGuest.objects.filter(interview=interview, pk=_pk(request, "guest")).first()
                interviews.publish_entry(
                    interview=interview,
                    actor=request.user,
                    role=role,
                    guest=guest,
                    content=request.POST.get("content", ""),
                    client_token=token,
                )
                return self.done("已发布。")
            if action == "state":
                summary = request.POST.get("summary")
                interviews.set_state(
                    interview=interview,
                    state=request.POST.get("state", ""),
                    actor=request.user,
                    summary=summary,
                )
                return self.done("访谈状态已更新。")
        except InterviewQuestion.DoesNotExist:
            return self.failed(ValidationError("该提问不存在。"))
        except ValidationError as exc:
            return self.failed(exc)
        return self.failed(ValidationError("未知操作。"))


class ConsultationManageView(EngagementPage):
    template_name = "interaction/engagement/admin/consultation_manage.html"
    page_title = "意见和采纳情况"
    model = Consultation
    permission = consultations.PERMISSION
    index_url_name = "engagement_consultations_admin:index"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render()

    def _render(self, *, posted: Any = None, status: int = 200) -> HttpResponse:
        """The page; after a refused action (``posted``) with what was typed kept in its form."""
        consultation = self.object
        return self.render_to_response(
            self.get_context_data(
                posted=posted,
                consultation=consultation,
                comments=consultation.comments.order_by("submitted_at", "pk"),
                attachments=consultation.attachments.all(),
                figures=selectors.consultation_figures(consultation),
                adoption_choices=[c for c in Adoption.choices if c[0]],
                is_closed=consultation.is_closed(),
                warning=consultations.period_warning(
                    opens_on=consultation.opens_on,
                    closes_on=consultation.closes_on,
                    is_major_decision=consultation.is_major_decision,
                ),
            ),
            status=status,
        )

    def failed(self, exc: ValidationError) -> HttpResponse:
        for message in exc.messages:
            messages.error(self.request, message)
        return self._render(posted=self.request.POST, status=400)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        consultation = self.object
        action = request.POST.get("action", "")
        try:
            if action in ("approve", "reject", "adoption"):
                comment = ConsultationComment.objects.get(
                    consultation=consultation, pk=_pk(request, "comment")
                )
                if action == "adoption":
                    consultations.record_adoption(
                        comment=comment,
                        adoption=request.POST.get("adoption", ""),
                        reason=request.POST.get("reason", ""),
                        actor=request.user,
                    )
                    return self.done("采纳情况已保存。")
                consultations.moderate_comment(
                    comment=comment, approve=action == "approve", actor=request.user
                )
                return self.done("审核结果已保存。")
            if action == "attach":
                uploaded = request.FILES.get("file")
                if uploaded is None:
                    raise ValidationError("请选择要上传的附件。")
                consultations.add_attachment(
                    consultation=consultation, uploaded_file=uploaded, actor=request.user
                )
                return self.done("附件已上传。")
            if action == "feedback":
                consultations.publish_feedback(
                    consultation=consultation, summary=request.POST.get("summary", ""), actor=request.user
                )
                return self.done("采纳情况已发布。")
        except ConsultationComment.DoesNotExist:
            return self.failed(ValidationError("该意见不存在。"))
        except ValidationError as exc:
            return self.failed(exc)
        return self.failed(ValidationError("未知操作。"))


class SurveyManageView(EngagementPage):
    template_name = "interaction/engagement/admin/survey_manage.html"
    page_title = "调查结果"
    model = Survey
    permission = surveys.PERMISSION
    index_url_name = "engagement_surveys_admin:index"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey = self.object
        total, results = selectors.survey_results(survey, public=False)
        return self.render_to_response(
            self.get_context_data(
                survey=survey, total=total, results=results, pending=selectors.pending_text_answers(survey)
            )
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = request.POST.get("action", "")
        answer = SurveyAnswer.objects.filter(response__survey=self.object, pk=_pk(request, "answer")).first()
        if answer is None or action not in ("approve", "reject"):
            return self.failed(ValidationError("该回答不存在。"))
        try:
            surveys.moderate_text_answer(answer=answer, approve=action == "approve", actor=request.user)
        except ValidationError as exc:
            return self.failed(exc)
        return self.done("审核结果已保存。")


class SurveyExportView(EngagementPage):
    model = Survey
    permission = surveys.PERMISSION
    index_url_name = "engagement_surveys_admin:index"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from zhengwu.core.services.audit import audit

        survey = self.object
        content = selectors.survey_workbook_bytes(survey)
        audit(
            actor=request.user,
            action="interaction.survey.export",
            target=survey,
            organization=survey.organization,
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-{stamp}.xlsx"'
        return response
