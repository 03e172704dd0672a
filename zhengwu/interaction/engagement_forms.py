"""Public forms of 在线访谈, 意见征集 and 调查问卷: each with the captcha (or an SMS code) of every public form."""

from __future__ import annotations

from django import forms

from zhengwu.core.humancheck import HumanCheckForm
from zhengwu.core.smscode import register_purpose

from .models.engagement import Identification, QuestionKind, Survey
from .services.consultations import COMMENT_MAX
from .services.interviews import QUESTION_MAX
from .services.surveys import TEXT_MAX

register_purpose("interview_question", "在线访谈提问")
register_purpose("consultation_comment", "提交意见建议")
register_purpose("survey_response", "提交调查问卷")


class InterviewQuestionForm(HumanCheckForm):
    human_check_purpose = "interview_question"

    nickname = forms.CharField(
        label="昵称",
        max_length=30,
        error_messages={"required": "请填写昵称。", "max_length": "昵称不超过 30 个字。"},
    )
    content = forms.CharField(
        label="提问内容",
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"不超过 {QUESTION_MAX} 字。提问经审核后公开，主持人将选择部分问题请嘉宾解答。",
        error_messages={
            "required": "请填写提问内容。",
            "max_length": f"提问内容不能超过 {QUESTION_MAX} 字（当前 %(show_value)d 字）。",
        },
    )


class ConsultationCommentForm(HumanCheckForm):
    human_check_purpose = "consultation_comment"
    sms_phone_field = "phone"

    name = forms.CharField(label="姓名", max_length=40, error_messages={"required": "请填写姓名。"})
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text="仅用于联系核实，不会公开。",
        error_messages={"required": "请填写联系电话。"},
    )
    content = forms.CharField(
        label="意见建议",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"不超过 {COMMENT_MAX} 字。意见经审核后公开，姓名和电话不公开。",
        error_messages={
            "required": "请填写意见建议。",
            "max_length": f"意见建议不能超过 {COMMENT_MAX} 字（当前 %(show_value)d 字）。",
        },
    )


class SurveyForm(HumanCheckForm):
    """The questions are fields ``q<id>``; whether an answer is required is the service's rule, so every field is
    optional here and the service's errors are shown under their questions."""

    human_check_purpose = "survey_response"

    def __init__(self, *args, survey: Survey, **kwargs):
        self.survey = survey
        self.sms_phone_field = "phone" if survey.identify_by == Identification.PHONE else None
        fields: dict[str, forms.Field] = {}
        if survey.identify_by == Identification.PHONE:
            fields["phone"] = forms.CharField(
                label="手机号码",
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
                help_text="每个手机号码只能参加一次；号码只用于核验，不保存。",
                error_messages={"required": "请填写手机号码。"},
            )
        for question in survey.questions.all():
            label = f"{question.sort_order}. {question.text}" if question.sort_order else question.text
            if question.kind == QuestionKind.SINGLE:
                field = forms.ChoiceField(
                    choices=[(str(i), o) for i, o in enumerate(question.options)], widget=forms.RadioSelect
                )
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=[(str(i), o) for i, o in enumerate(question.options)],
                    widget=forms.CheckboxSelectMultiple,
                )
            elif question.kind == QuestionKind.SCALE:
                field = forms.ChoiceField(
                    choices=[(str(s), f"{s} 分") for s in range(question.scale_min, question.scale_max + 1)],
                    widget=forms.RadioSelect,
                )
            else:
                field = forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
            field.label = label
            field.required = False
            field.is_question_required = question.required
            field.error_messages["invalid_choice"] = "请从给出的选项中选择。"
            if question.kind == QuestionKind.TEXT:
                field.help_text = "文字回答经审核后与调查结果一起公开。"
            fields[f"q{question.pk}"] = field
        # Per-instance fields ahead of the human check (BaseForm deep-copies base_fields into self.fields).
        self.base_fields = {**fields, **type(self).base_fields}
        super().__init__(*args, **kwargs)

    def answers(self) -> dict[int, object]:
        values: dict[int, object] = {}
        for question in self.survey.questions.all():
            name = self.add_prefix(f"q{question.pk}")
            values[question.pk] = (
                self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name)
            )
        return values
