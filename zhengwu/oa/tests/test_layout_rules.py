"""The layout rules file: constants as GB/T 9704-2012 gives them, and the face mapping shown in the README."""

from __future__ import annotations

from pathlib import Path

from zhengwu.oa.services.document import layout_rules
from zhengwu.oa.services.layout import geometry

README = Path(__file__).resolve().parents[3] / "README.md"


def test_constants_match_the_standard():
    g = geometry()
    assert (g.paper_w_mm, g.paper_h_mm) == (210, 297)
    assert (g.top_mm, g.left_mm) == (37, 28)
    assert (g.block_w_mm, g.block_h_mm) == (156, 225)
    assert g.left_mm + g.block_w_mm + g.right_mm == g.paper_w_mm
    assert g.top_mm + g.block_h_mm + g.bottom_mm == g.paper_h_mm
    assert (g.lines, g.chars) == (22, 28)
    # 28 characters fit the line with the tightened spacing and 29 do not.
    pitch = g.body_size_pt + g.letter_spacing_pt
    width_pt = g.block_w_mm * 72 / 25.4
    assert 27 * pitch + g.body_size_pt <= width_pt < 28 * pitch + g.body_size_pt


def test_every_rule_names_its_source():
    rules = layout_rules()
    for key, spec in rules["elements"].items():
        assert "GB/T 9704" in spec["source"] or spec["source"][:1].isdigit(), key
    for key in ("paper_mm", "margins_mm", "text_block_mm", "grid", "faces", "pdf_font_metrics"):
        assert rules[key]["source"], key


def test_face_mapping_is_shown_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if line.startswith("| ") and "CJK" in line]
    for key, face in layout_rules()["faces"].items():
        if key == "source":
            continue
        row = next((line for line in table if line.startswith(f"| {face['standard']} |")), None)
        assert row is not None, face["standard"]
        assert face["pdf"][-1] in row, face["standard"]
