"""Read positions back out of a PDF file, for measuring the layout in tests.

Small and strict: it reads the objects (plain and in object streams), each page's MediaBox and content stream, and
for each ``BT … Tm … Tf [..] TJ ET`` text run the origin, font size, glyph advances from the font's ``/W`` widths
and the text from its ``/ToUnicode`` map; filled rectangles with their fill colour. Anything it does not understand
fails loudly rather than being skipped. The embedded font program is read with fontTools for the em box top.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field

from fontTools.ttLib import TTFont

PT_PER_MM = 72 / 25.4
NUMBER = rb"-?\d+(?:\.\d+)?"


def pt_to_mm(value: float) -> float:
    return value / PT_PER_MM


@dataclass
class TextRun:
    x: float  # pt from the left edge of the paper
    baseline: float  # pt from the top edge of the paper
    size: float  # pt
    font: str
    text: str
    advances: list[float]  # pt, one per glyph
    em_top: float  # pt from the top edge: baseline minus the font's ideographic ascent (OS/2 sTypoAscender)

    @property
    def right(self) -> float:
        return self.x + sum(self.advances)


@dataclass
class Rect:
    x: float
    y: float  # top, pt from the top edge
    width: float
    height: float
    color: tuple[float, float, float]


@dataclass
class Page:
    width: float
    height: float
    runs: list[TextRun] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)

    def lines(self, tolerance: float = 0.5) -> list[list[TextRun]]:
        """Text runs grouped by baseline, top to bottom, each line's runs left to right."""
        out: list[list[TextRun]] = []
        for run in sorted(self.runs, key=lambda r: (r.baseline, r.x)):
            if out and abs(out[-1][0].baseline - run.baseline) <= tolerance:
                out[-1].append(run)
            else:
                out.append([run])
        return out


def _dict_value(raw: bytes, key: bytes) -> bytes | None:
    match = re.search(rb"/" + key + rb"\s*(\[[^\]]*\]|\d+ 0 R|/\w+|" + NUMBER + rb")", raw)
    return match.group(1) if match else None


def _ref(value: bytes | None) -> int:
    if value is None or not value.endswith(b"R"):
        raise ValueError(f"expected a reference, got {value!r}")
    return int(value.split()[0])


class PdfFile:
    def __init__(self, data: bytes):
        self.objects: dict[int, bytes] = {}
        self.streams: dict[int, bytes] = {}
        for match in re.finditer(rb"(\d+) 0 obj\s*(<<.*?>>)\s*(stream\r?\n|endobj)", data, re.S):
            number, head = int(match.group(1)), match.group(2)
            self.objects[number] = head
            if match.group(3).startswith(b"stream"):
                length = int(_dict_value(head, b"Length"))
                raw = data[match.end() : match.end() + length]
                self.streams[number] = zlib.decompress(raw) if b"/FlateDecode" in head else raw
        for number, head in list(self.objects.items()):
            if b"/Type /ObjStm" in head or b"/Type/ObjStm" in head:
                self._unpack(self.streams[number], head)

    def _unpack(self, stream: bytes, head: bytes) -> None:
        count, first = int(_dict_value(head, b"N")), int(_dict_value(head, b"First"))
        pairs = [int(v) for v in stream[:first].split()]
        offsets = list(zip(pairs[::2], pairs[1::2], strict=True))
        for index, (number, offset) in enumerate(offsets[:count]):
            end = offsets[index + 1][1] if index + 1 < len(offsets) else len(stream) - first
            self.objects[number] = stream[first + offset : first + end].strip()

    def pages(self) -> list[Page]:
        root = next(h for h in self.objects.values() if re.search(rb"/Type\s*/Pages\b", h) and b"/Kids" in h)
        kids = [int(n) for n in re.findall(rb"(\d+) 0 R", _dict_value(root, b"Kids"))]
        return [self._page(self.objects[kid]) for kid in kids]

    def _font(self, number: int) -> dict:
        head = self.objects[number]
        descendant = int(re.search(rb"/DescendantFonts\s*\[\s*(\d+) 0 R", head).group(1))
        cid = self.objects[descendant]
        default = float(_dict_value(cid, b"DW") or 1000)
        widths: dict[int, float] = {}
        w_match = re.search(rb"/W\s*\[(.*)\]", cid, re.S)
        if w_match:
            tokens = re.findall(rb"\[|\]|" + NUMBER, w_match.group(1))
            i = 0
            while i < len(tokens):
                start = int(tokens[i])
                if tokens[i + 1] == b"[":
                    j = i + 2
                    while tokens[j] != b"]":
                        widths[start + j - i - 2] = float(tokens[j])
                        j += 1
                    i = j + 1
                else:
                    for code in range(start, int(tokens[i + 1]) + 1):
                        widths[code] = float(tokens[i + 2])
                    i += 3
        descriptor = self.objects[_ref(_dict_value(cid, b"FontDescriptor"))]
        program_ref = _dict_value(descriptor, b"FontFile3") or _dict_value(descriptor, b"FontFile2")
        program = TTFont(io.BytesIO(self.streams[_ref(program_ref)]))
        ascent = program["OS/2"].sTypoAscender / program["head"].unitsPerEm
        to_unicode: dict[int, str] = {}
        unicode_ref = _dict_value(head, b"ToUnicode")
        if unicode_ref:
            cmap = self.streams[_ref(unicode_ref)]
            for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
                for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                    to_unicode[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
            for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
                for lo, hi, dst in re.findall(
                    rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
                ):
                    base = int(dst, 16)
                    for code in range(int(lo, 16), int(hi, 16) + 1):
                        to_unicode[code] = chr(base + code - int(lo, 16))
        name = program["name"].getDebugName(1) or ""
        return {"name": name, "widths": widths, "default": default, "ascent": ascent, "unicode": to_unicode}

    def _page(self, head: bytes) -> Page:
        box = [float(v) for v in re.findall(NUMBER, _dict_value(head, b"MediaBox"))]
        page = Page(width=box[2] - box[0], height=box[3] - box[1])
        resources = _dict_value(head, b"Resources")
        res = self.objects[_ref(resources)] if resources and resources.endswith(b"R") else head
        font_dict = re.search(rb"/Font\s*(<<.*?>>|\d+ 0 R)", res, re.S).group(1)
        if font_dict.endswith(b"R"):
            font_dict = self.objects[_ref(font_dict)]
        fonts = {
            name.decode(): self._font(int(num)) for name, num in re.findall(rb"/(\w+)\s+(\d+) 0 R", font_dict)
        }
        contents = _dict_value(head, b"Contents")
        refs = re.findall(rb"(\d+) 0 R", contents)
        stream = b"\n".join(self.streams[int(r)] for r in refs)
        self._read_content(stream, page, fonts)
        return page

    def _read_content(self, stream: bytes, page: Page, fonts: dict) -> None:
        transforms = set(re.findall(rb"(" + NUMBER + rb"(?: " + NUMBER + rb"){5}) cm", stream))
        expected = {f"1 0 0 -1 0 {page.height:f}".rstrip("0").encode(), b"0.75 0 0 0.75 0 0"}
        unknown = {t for t in transforms if t not in expected and not t.startswith(b"1 0 0 -1 0 ")}
        if unknown:
            raise ValueError(f"unsupported transforms {unknown!r}")
        scale = (
            0.75  # WeasyPrint draws in CSS px under a 0.75 scale and a y flip: y grows downwards from the top
        )
        color = (0.0, 0.0, 0.0)
        tokens = re.finditer(
            rb"(?P<rg>(" + NUMBER + rb") (" + NUMBER + rb") (" + NUMBER + rb") rg)"
            rb"|(?P<re>("
            + NUMBER
            + rb") ("
            + NUMBER
            + rb") ("
            + NUMBER
            + rb") ("
            + NUMBER
            + rb") re\s*(?=f))"
            rb"|(?P<bt>BT\s(.*?)\sET)",
            stream,
            re.S,
        )
        for match in tokens:
            if match.group("rg"):
                color = tuple(float(v) for v in re.findall(NUMBER, match.group("rg"))[:3])
            elif match.group("re"):
                x, y, w, h = (float(v) * scale for v in re.findall(NUMBER, match.group("re"))[:4])
                page.rects.append(Rect(x, y, w, h, color))
            else:
                self._read_text(match.group("bt"), page, fonts, scale)

    def _read_text(self, block: bytes, page: Page, fonts: dict, scale: float) -> None:
        font, size = None, 0.0
        x = y = 0.0
        for op in re.finditer(
            rb"1 0 0 -1 (?P<x>" + NUMBER + rb") (?P<y>" + NUMBER + rb") Tm"
            rb"|/(?P<font>\w+) (?P<size>" + NUMBER + rb") Tf"
            rb"|\[(?P<tj>.*?)\]\s*TJ"
            rb"|(?P<other>\b(?:Td|TD|T\*|Tc|Tw|Tz|TL|Ts|'|\"|Tj)\b)",
            block,
            re.S,
        ):
            if op.group("other"):
                raise ValueError(f"unsupported text operator {op.group('other')!r}")
            if op.group("x"):
                x, y = float(op.group("x")), float(op.group("y"))
            elif op.group("font"):
                font, size = fonts[op.group("font").decode()], float(op.group("size"))
            else:
                advances: list[float] = []
                text = []
                for hexcodes, adjust in re.findall(rb"<([0-9a-fA-F]*)>|(" + NUMBER + rb")", op.group("tj")):
                    if adjust:
                        if advances:
                            advances[-1] -= float(adjust) / 1000 * size * scale
                        continue
                    for i in range(0, len(hexcodes), 4):
                        code = int(hexcodes[i : i + 4], 16)
                        advances.append(font["widths"].get(code, font["default"]) / 1000 * size * scale)
                        text.append(font["unicode"].get(code, "\ufffd"))
                baseline = y * scale
                page.runs.append(
                    TextRun(
                        x=x * scale,
                        baseline=baseline,
                        size=size * scale,
                        font=font["name"],
                        text="".join(text),
                        advances=advances,
                        em_top=baseline - font["ascent"] * size * scale,
                    )
                )


def read_pdf(data: bytes) -> list[Page]:
    return PdfFile(data).pages()
