"""The project's catalogue of Chinese for what Wagtail and Django leave untranslated: the compiled ``django.mo``
that Django reads is the ``django.po`` that people edit (a forgotten ``msgfmt`` would leave English behind)."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import zhengwu

MESSAGES = Path(zhengwu.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries(text: str) -> dict[str | tuple[str, int], str]:
    """msgid → msgstr (plural forms keyed as gettext keys them: ``(msgid, n)``); the header is left out."""
    entries: dict[str | tuple[str, int], str] = {}
    current: dict[str, str] = {}
    key = None

    def flush():
        if current.get("msgid"):
            if "msgid_plural" in current:
                for name, value in current.items():
                    if name.startswith("msgstr["):
                        entries[(current["msgid"], int(name[7:-1]))] = value
            else:
                entries[current["msgid"]] = current.get("msgstr", "")

    for line in [*text.splitlines(), ""]:
        line = line.strip()
        if not line or line.startswith("#"):
            if not line and current:
                flush()
                current, key = {}, None
            continue
        if line.startswith('"'):
            current[key] += ast.literal_eval(line)
            continue
        key, _, value = line.partition(" ")
        if key == "msgid" and "msgid" in current:
            flush()
            current = {}
        current[key] = ast.literal_eval(value)
    return entries


def test_compiled_catalogue_matches_its_source():
    entries = po_entries((MESSAGES / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 40
    with open(MESSAGES / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    stale = {msgid: msgstr for msgid, msgstr in entries.items() if catalog.get(msgid) != msgstr}
    assert not stale, "django.mo is older than django.po: compile it with msgfmt (see the .po's header)"
    assert all(msgstr for msgstr in entries.values()), "an entry without its Chinese"
