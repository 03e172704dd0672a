"""保密审查 scan against the rules of disclosure.md §6."""

from zhengwu.core.confidentiality import describe, id_number_is_valid, luhn_is_valid, scan

VALID_ID = "11010519491231002X"  # the worked example of GB 11643-1999


def kinds(text, **kw):
    return [hit.kind for hit in scan(text, **kw)]


def test_id_number_check_digit_and_birth_date():
    assert id_number_is_valid(VALID_ID)
    assert not id_number_is_valid("110105194912310021")  # wrong check digit
    assert not id_number_is_valid("110105194913310029")  # month 13
    assert kinds(f"申请人身份证号{VALID_ID}。") == ["id_number"]
    assert kinds("文号编码110105194912310021不是身份证号") == []


def test_mobile_bank_card_and_secrecy_marks():
    assert kinds("联系电话：13812345678") == ["mobile"]
    assert kinds("办公电话：0799-6210001") == []
    card = "4111111111111111"  # a Luhn-valid test number
    assert luhn_is_valid(card)
    assert kinds(f"账号{card}") == ["bank_card"]
    assert kinds("账号4111111111111112") == []
    assert kinds("机密★10年 关于某事项的通知") == ["secrecy_mark"]
    assert kinds("秘密★ 文件") == ["secrecy_mark"]
    assert kinds("我们之间没有秘密") == []


def test_rule_and_county_terms_and_html():
    assert kinds("<p>本文为<b>内部资料</b>，注意保密</p>") == ["sensitive_term", "sensitive_term"]
    assert kinds("示范县某某工程", extra_terms=["某某工程"]) == ["sensitive_term"]


def test_description_masks_personal_numbers():
    text = describe(scan(f"身份证{VALID_ID}，手机13812345678"))
    assert VALID_ID not in text and "13812345678" not in text
    assert "居民身份证号“110***********002X”" in text
    assert "手机号码“138****5678”" in text
