"""SMS verification codes, the accessible alternative to the image captcha: sent through the core SMS interface,
bound to one phone and one form, limited per phone and per address, only a hash stored, used once."""

from __future__ import annotations

import json
import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from zhengwu.core import smscode
from zhengwu.core.humancheck import HumanCheckForm, PublicFormGuard
from zhengwu.core.models import RateCounter, SmsCode

pytestmark = pytest.mark.django_db

smscode.register_purpose("test_form", "测试表单")


@pytest.fixture(autouse=True)
def outbox(settings, tmp_path):
    settings.ZHENGWU_SMS_BACKEND = "zhengwu.core.sms.FileSmsBackend"
    settings.ZHENGWU_SMS_FILE_DIR = tmp_path
    settings.ZHENGWU_RATELIMIT_STORE = "database"
    return tmp_path


def sent(outbox) -> list[dict]:
    return [
        json.loads(line) for path in sorted(outbox.glob("*.jsonl")) for line in path.read_text().splitlines()
    ]


def _request(ip: str = "203.0.113.5"):
    return RequestFactory().post("/", REMOTE_ADDR=ip)


def test_a_code_is_sent_through_the_sms_interface_and_only_its_hash_kept(outbox):
    result = smscode.send_code(phone="+86 138-0013-8000", purpose="test_form", request=_request())
    assert result.phone == "13800138000" and "138****8000" in result.message
    [message] = sent(outbox)
    assert message["phone"] == "13800138000"
    assert message["text"].startswith("【示范县人民政府】您正在测试表单，验证码 ")
    code = re.search(r"验证码 (\d{6})", message["text"]).group(1)
    row = SmsCode.objects.get()
    assert code not in row.code_hash and row.ip_address == "203.0.113.5"
    assert smscode.check_code(phone="13800138000", purpose="test_form", code=code) == row.pk
    # Another form cannot use it; it is used once.
    with pytest.raises(ValidationError, match="已失效或未获取"):
        smscode.check_code(phone="13800138000", purpose="other", code=code)
    smscode.use_code(row.pk)
    with pytest.raises(ValidationError, match="已失效或未获取"):
        smscode.check_code(phone="13800138000", purpose="test_form", code=code)


def test_wrong_tries_are_counted_then_the_code_is_void(outbox, settings):
    smscode.send_code(phone="13800138000", purpose="test_form", request=_request())
    code = re.search(r"验证码 (\d{6})", sent(outbox)[0]["text"]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=f"还可以再试 {left} 次"):
            smscode.check_code(phone="13800138000", purpose="test_form", code=wrong)
    with pytest.raises(ValidationError, match="错误次数过多"):
        smscode.check_code(phone="13800138000", purpose="test_form", code=wrong)
    with pytest.raises(ValidationError, match="错误次数过多"):
        smscode.check_code(phone="13800138000", purpose="test_form", code=code)


def test_sending_is_limited_per_phone_and_per_address(outbox, settings):
    settings.ZHENGWU_PUBLIC_FORM_LIMITS = {
        "default": {"sms_interval_per_phone": (1, 60), "sms_per_phone": (2, 3600), "sms_per_ip": (3, 3600)}
    }
    smscode.send_code(phone="13800138000", purpose="test_form", request=_request())
    with pytest.raises(ValidationError, match=r"请 \d+ 秒后再试"):
        smscode.send_code(phone="13800138000", purpose="test_form", request=_request())
    RateCounter.objects.filter(key__contains="sms_interval").delete()  # the pause is over
    smscode.send_code(phone="13800138000", purpose="test_form", request=_request())
    RateCounter.objects.filter(key__contains="sms_interval").delete()
    with pytest.raises(ValidationError, match="该手机号码获取验证码次数过多"):
        smscode.send_code(phone="13800138000", purpose="test_form", request=_request())
    smscode.send_code(phone="13900000001", purpose="test_form", request=_request())
    with pytest.raises(ValidationError, match="获取验证码过于频繁"):
        smscode.send_code(phone="13900000002", purpose="test_form", request=_request())
    # A refused request uses up nothing: the other address and phone can still get a code.
    smscode.send_code(phone="13900000002", purpose="test_form", request=_request("198.51.100.2"))
    assert len(sent(outbox)) == 4


def test_a_gateway_failure_costs_the_person_nothing(settings):
    settings.ZHENGWU_SMS_BACKEND = "zhengwu.core.sms.HttpSmsBackend"
    settings.ZHENGWU_SMS_GATEWAY_URL = "http://127.0.0.1:9/"  # nothing listens on the discard port
    with pytest.raises(ValidationError, match="短信发送失败") as failed:
        smscode.send_code(phone="13700000001", purpose="test_form", request=_request("198.51.100.77"))
    assert failed.value.code == "gateway"
    assert not SmsCode.objects.filter(phone="13700000001").exists()
    counters = RateCounter.objects.filter(key__regex=r"13700000001|198\.51\.100\.77")
    assert counters.count() == 3 and all(row.count == 0 for row in counters)


def test_landlines_and_unknown_forms_are_refused():
    with pytest.raises(ValidationError, match="手机号码格式不正确"):
        smscode.send_code(phone="0731-5550000", purpose="test_form", request=_request())
    with pytest.raises(ValidationError, match="无法识别的验证用途"):
        smscode.send_code(phone="13800138000", purpose="nothing", request=_request())


class ContactForm(HumanCheckForm):
    human_check_purpose = "test_form"

    message = forms.CharField(label="留言")


def test_form_offers_the_sms_code_after_its_own_fields_and_accepts_it_instead_of_the_image(outbox):
    form = ContactForm()
    assert list(form.fields) == ["message", "captcha", "sms_phone", "sms_code"]
    html = form.as_div()
    assert "获取短信验证码" in html and 'data-phone-input="id_sms_phone"' in html
    assert 'autocomplete="one-time-code"' in html
    smscode.send_code(phone="13800138000", purpose="test_form", request=_request())
    code = re.search(r"验证码 (\d{6})", sent(outbox)[0]["text"]).group(1)
    form = ContactForm({"message": "你好", "sms_phone": "13800138000", "sms_code": code})
    assert form.is_valid(), form.errors
    guard = PublicFormGuard(_request(), scope="test_form")
    assert guard.check(ContactForm({"message": "你好"})).ok is False  # neither the image nor a code
    verdict = guard.check(form)
    assert verdict.ok
    guard.accepted()
    assert SmsCode.objects.get().used_at is not None


def test_without_a_gateway_the_form_keeps_the_image_only(settings):
    settings.ZHENGWU_SMS_CODES = False
    assert list(ContactForm().fields) == ["message", "captcha"]
    with pytest.raises(ValidationError, match="暂未开通短信验证码"):
        smscode.send_code(phone="13800138000", purpose="test_form", request=_request())
