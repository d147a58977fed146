"""PDFs whose text layer is good or garbage, for the text-layer gate (issue 9).

`make_cases(out_dir, seed)` writes one single-page PDF per case and returns
(class_name, pdf_path, reference_text); the reference is the text the page shows, which is
what a correct read (text layer or OCR) gives. Every PDF comes from a real writer (reportlab,
fpdf2), broken the way broken writers break them, by editing the written bytes with qpdf:

- `textlayer-good-ja`, `textlayer-good-en`: text layers as writers make them, in many fonts
  (reportlab's CID fonts and standard fonts, IPA Gothic/Mincho, IPAex, Noto CJK, DejaVu;
  simple TrueType subsets and Identity-H CID fonts), 1 to 30 lines;
- `textlayer-byteswapped`: the ToUnicode map's UTF-16 values with their two bytes swapped
  (`Multi` reads `䴀甀氀琀椀`);
- `textlayer-no-tounicode`: the ToUnicode map removed, so the "text" is the font's own codes
  (`"7+%-` where the page shows "Phone"), from simple TrueType subsets and Identity-H fonts;
- `textlayer-private-use`: the ToUnicode map points into the private-use area;
- `textlayer-random-ascii`: a scanned page whose invisible text layer is random ASCII.

The seed picks texts, fonts, sizes and lengths, so tuning and held-out sets differ.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

PAGE = (595.0, 842.0)  # A4, points
IPA = "/usr/share/fonts/opentype"
JA_FONTS = {
    "ipag": f"{IPA}/ipafont-gothic/ipag.ttf", "ipam": f"{IPA}/ipafont-mincho/ipam.ttf",
    "ipaexg": f"{IPA}/ipaexfont-gothic/ipaexg.ttf", "ipaexm": f"{IPA}/ipaexfont-mincho/ipaexm.ttf",
}
NOTO_CJK = {"noto-sans-cjk": f"{IPA}/noto/NotoSansCJK-Regular.ttc",
            "noto-serif-cjk": f"{IPA}/noto/NotoSerifCJK-Regular.ttc"}
DEJAVU = "/usr/share/fonts/truetype/dejavu"
EN_FONTS = {"dejavu-sans": f"{DEJAVU}/DejaVuSans.ttf", "dejavu-serif": f"{DEJAVU}/DejaVuSerif.ttf",
            "dejavu-mono": f"{DEJAVU}/DejaVuSansMono.ttf"}
CID_FONTS = ("HeiseiMin-W3", "HeiseiKakuGo-W5")
STANDARD_FONTS = ("Helvetica", "Times-Roman", "Courier")
for _cid in CID_FONTS:
    pdfmetrics.registerFont(UnicodeCIDFont(_cid))

_JA_TOPICS = ("請求書", "見積書", "議事録", "納品書", "契約書", "報告書", "企画書", "注文書")
_JA_PEOPLE = ("山田太郎", "佐藤花子", "鈴木一郎", "田中美咲", "高橋健", "渡辺直美")
_JA_PLACES = ("東京本社", "大阪支店", "名古屋営業所", "福岡事務所", "札幌工場", "横浜倉庫")
_JA_TEMPLATES = (
    "{topic}を{date}までにお送りください。",
    "本日は{place}で{topic}について打ち合わせを行いました。",
    "担当者の{person}様より{topic}の確認がありました。",
    "合計金額は{amount}円（税込）となります。",
    "{place}の電話番号は03-{n4}-{m4}です。",
    "ご不明な点がございましたら{person}までご連絡ください。",
    "第{n1}回の会議では、来期の予算と人員計画を検討しました。",
    "お支払いは{date}までに指定の口座へお振り込みください。",
    "{topic}の内容に誤りがないか、ご確認をお願いいたします。",
    "〒100-0005 東京都千代田区丸の内2-{n1}-{n1}　TEL 03-{n4}-{m4} / FAX 03-{m4}-{n4}",
    "【重要】※ ①{topic} ②{topic}（{amount}円）",
    "- {n1} -",
    "新しいシステムは{date}から{place}で稼働を開始します。",
)
_EN_TEMPLATES = (
    "Please send the {topic} to our {place} office by {date}.",
    "The total amount due is {amount} yen, including tax.",
    "Phone: +81 3 {n4} {m4}   Fax: +81 3 {m4} {n4}",
    "Minutes of meeting number {n1}, held with {person} on {date}.",
    "Our team reviewed the quarterly report and found no errors.",
    "If you have any questions, contact {person} at the {place} office.",
    "Multilingual search makes every scanned document easy to find.",
    "Shipping address: 2-{n1} Marunouchi, Chiyoda-ku, Tokyo 100-0005",
    "Item {n1}: laptop computers, quantity {n1}, unit price {amount} yen",
    "Payment terms are thirty days from the date of the invoice.",
    "E-mail: info@sample.co.jp  URL: https://www.sample.co.jp/contact?id={n4}",
    "No. | Item | Qty | Price: {n1} | PC-{n4} | {n1} | {amount}",
    "total = (price * qty) / {n1};  // JPY {amount}",
    "Page {n1} of {n4}",
)
_EN_WORDS = {"topic": ("invoice", "estimate", "contract", "delivery note", "purchase order"),
             "place": ("Tokyo", "Osaka", "Nagoya", "Fukuoka", "Sapporo"),
             "person": ("Taro Yamada", "Hanako Sato", "Ichiro Suzuki", "Misaki Tanaka")}


def _fill(template: str, rnd: random.Random, words: dict[str, tuple[str, ...]]) -> str:
    year, month, day = rnd.randrange(2024, 2027), rnd.randrange(1, 13), rnd.randrange(1, 29)
    date = f"{year}年{month}月{day}日" if template in _JA_TEMPLATES else f"{day} March {year}"
    return template.format(
        topic=rnd.choice(words["topic"]), place=rnd.choice(words["place"]),
        person=rnd.choice(words["person"]), amount=f"{rnd.randrange(1000, 999999):,}", date=date,
        n1=rnd.randrange(1, 40), n4=rnd.randrange(1000, 9999), m4=rnd.randrange(1000, 9999))


def japanese_lines(rnd: random.Random, count: int) -> list[str]:
    words = {"topic": _JA_TOPICS, "place": _JA_PLACES, "person": _JA_PEOPLE}
    return [_fill(rnd.choice(_JA_TEMPLATES), rnd, words) for _ in range(count)]


def english_lines(rnd: random.Random, count: int) -> list[str]:
    return [_fill(rnd.choice(_EN_TEMPLATES), rnd, _EN_WORDS) for _ in range(count)]


def _line_count(rnd: random.Random) -> int:
    return rnd.choice((1, 2, 3, 5, 8, 12, 20, 30))


# --- writers --------------------------------------------------------------------------------

def _reportlab(path: Path, lines: list[str], font: str, size: float) -> Path:
    pdf = canvas.Canvas(str(path), pagesize=PAGE)
    text = pdf.beginText(50, PAGE[1] - 60)
    text.setFont(font, size)
    for line in lines:
        text.textLine(line)
    pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    return path


def reportlab_ttf(path: Path, lines: list[str], font_file: str, size: float) -> Path:
    """A simple (8-bit) TrueType subset font with a ToUnicode map, as reportlab writes it."""
    name = Path(font_file).stem
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, font_file))
    return _reportlab(path, lines, name, size)


def _fpdf(path: Path, lines: list[str], font_file: str, size: float) -> Path:
    """An Identity-H CID font (glyph ids as codes) with a ToUnicode map, as fpdf2 writes it."""
    pdf = FPDF(unit="pt", format=PAGE)
    pdf.add_page()
    pdf.add_font("body", fname=font_file)
    pdf.set_font("body", size=size)
    for number, line in enumerate(lines):
        pdf.text(50, 60 + number * size * 1.4, line)
    pdf.output(str(path))
    return path


def _scan_with_layer(path: Path, lines: list[str], font_file: str, size: float,
                     layer: list[str]) -> Path:
    """A 200 dpi page image of `lines` with an invisible text layer `layer` over it."""
    dpi = 200
    scale = dpi / 72
    image = Image.new("L", (round(PAGE[0] * scale), round(PAGE[1] * scale)), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(font_file, round(size * scale))
    for number, line in enumerate(lines):
        draw.text((50 * scale, (50 + number * size * 1.4) * scale), line, font=font, fill=0)
    pdf = canvas.Canvas(str(path), pagesize=PAGE)
    pdf.drawImage(ImageReader(image), 0, 0, width=PAGE[0], height=PAGE[1])
    text = pdf.beginText(50, PAGE[1] - 60)
    text.setFont("Helvetica", size)
    text.setTextRenderMode(3)
    for line in layer:
        text.textLine(line)
    pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    return path


# --- byte edits with qpdf -------------------------------------------------------------------

def _edit_tounicode(path: Path, edit: Callable[[bytes], bytes]) -> Path:
    """Rewrite every ToUnicode CMap stream (QDF mode: uncompressed), then fix the lengths."""
    qdf = path.with_suffix(".qdf")
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), str(qdf)],
                   check=True)
    data = qdf.read_bytes()
    data = re.sub(rb"stream\n(/CIDInit.*?endcmap.*?)endstream",
                  lambda match: b"stream\n" + edit(match.group(1)) + b"endstream",
                  data, flags=re.DOTALL)
    qdf.write_bytes(data)
    with path.open("wb") as out:
        subprocess.run(["fix-qdf", str(qdf)], check=True, stdout=out)
    qdf.unlink()
    return path


def _remap(cmap: bytes, value: Callable[[int], int]) -> bytes:
    """Every bfchar/bfrange destination (one UTF-16 unit) mapped through `value`; bfranges are
    written out as bfchar, as a writer that maps glyph by glyph does."""
    pairs: list[tuple[int, int]] = []
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, flags=re.DOTALL):
        pairs += [(int(src, 16), int(dst, 16))
                  for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4})>", block)]
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, flags=re.DOTALL):
        for low, high, dst in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4})>", block):
            pairs += [(code, int(dst, 16) + code - int(low, 16))
                      for code in range(int(low, 16), int(high, 16) + 1)]
    width = len(re.search(rb"begincodespacerange\s*<([0-9A-Fa-f]+)>", cmap).group(1))  # type: ignore[union-attr]
    body = b"".join(b"<%0*X> <%04X>\n" % (width, src, value(dst) & 0xFFFF)
                    for src, dst in pairs)
    head = re.split(rb"\d+\s+begin(?:bfchar|bfrange)", cmap, maxsplit=1)[0]
    return head + b"%d beginbfchar\n" % len(pairs) + body + (
        b"endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")


def byteswap_tounicode(path: Path) -> Path:
    return _edit_tounicode(path, lambda cmap: _remap(
        cmap, lambda unit: ((unit & 0xFF) << 8) | (unit >> 8)))


def private_use_tounicode(path: Path) -> Path:
    return _edit_tounicode(path, lambda cmap: _remap(cmap, lambda unit: 0xE000 + unit % 0x1800))


def strip_tounicode(path: Path) -> Path:
    qdf = path.with_suffix(".qdf")
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), str(qdf)],
                   check=True)
    qdf.write_bytes(re.sub(rb"/ToUnicode \d+ 0 R", b"", qdf.read_bytes()))
    with path.open("wb") as out:
        subprocess.run(["fix-qdf", str(qdf)], check=True, stdout=out)
    qdf.unlink()
    return path


# --- cases ----------------------------------------------------------------------------------

def _random_ascii(rnd: random.Random, lines: list[str]) -> list[str]:
    alphabet = [chr(code) for code in range(33, 127)]
    return ["".join(rnd.choice(alphabet) if rnd.random() > 0.15 else " "
                    for _ in range(max(4, len(line)))) for line in lines]


def _good(rnd: random.Random, path: Path, japanese: bool) -> tuple[Path, list[str]]:
    lines = japanese_lines(rnd, _line_count(rnd)) if japanese else english_lines(
        rnd, _line_count(rnd))
    size = rnd.choice((9, 10.5, 12, 14))
    fonts = {**JA_FONTS, **NOTO_CJK} if japanese else EN_FONTS
    writer = rnd.choice(("cid-or-standard", "reportlab-ttf", "fpdf"))
    font_file = rnd.choice(list(fonts.values()))
    if writer == "cid-or-standard":
        return _reportlab(path, lines, rnd.choice(CID_FONTS if japanese else STANDARD_FONTS),
                          size), lines
    if writer == "reportlab-ttf" and not font_file.endswith(".ttc"):
        return reportlab_ttf(path, lines, font_file, size), lines
    return _fpdf(path, lines, font_file, size), lines


def _broken(rnd: random.Random, path: Path, japanese: bool, breaker: Callable[[Path], Path],
            simple_fonts: bool = True) -> tuple[Path, list[str]]:
    """A good text layer from a TrueType writer, then broken by `breaker`; `simple_fonts`
    False: Identity-H fonts only (a simple font keeps ASCII codes as they are, so English
    in it survives the loss of its ToUnicode map)."""
    lines = japanese_lines(rnd, _line_count(rnd)) if japanese else english_lines(
        rnd, _line_count(rnd))
    while simple_fonts and all(line.isascii() for line in lines):  # "- 35 -" would survive
        lines.append(japanese_lines(rnd, 1)[0])
    size = rnd.choice((9, 10.5, 12, 14))
    cjk = japanese or not all(line.isascii() for line in lines)  # DejaVu has no kana: the
    # page would show empty boxes where the reference has the line
    fonts = {**JA_FONTS, **NOTO_CJK} if cjk else EN_FONTS
    font_file = rnd.choice(list(fonts.values()))
    if simple_fonts and rnd.random() < 0.5 and not font_file.endswith(".ttc"):
        reportlab_ttf(path, lines, font_file, size)
    else:
        _fpdf(path, lines, font_file, size)
    return breaker(path), lines


def _junk_layer(rnd: random.Random, path: Path, japanese: bool) -> tuple[Path, list[str]]:
    lines = japanese_lines(rnd, _line_count(rnd)) if japanese else english_lines(
        rnd, _line_count(rnd))
    font_file = rnd.choice(list(JA_FONTS.values()) if japanese else list(EN_FONTS.values()))
    return _scan_with_layer(path, lines, font_file, rnd.choice((10.5, 12, 14)),
                            _random_ascii(rnd, lines)), lines


CLASSES: dict[str, Callable[[random.Random, Path, bool], tuple[Path, list[str]]]] = {
    "textlayer-good": _good,
    "textlayer-byteswapped": lambda rnd, path, ja: _broken(rnd, path, ja, byteswap_tounicode),
    "textlayer-no-tounicode": lambda rnd, path, ja: _broken(rnd, path, ja, strip_tounicode,
                                                            simple_fonts=ja),
    "textlayer-private-use": lambda rnd, path, ja: _broken(rnd, path, ja,
                                                           private_use_tounicode),
    "textlayer-random-ascii": _junk_layer,
}
PER_CLASS = 4  # cases of each garbage class and language per seed
GOOD_PER_LANGUAGE = 12  # good pages per language per seed: false positives cost the most


def make_cases(out_dir: Path, seed: int, per_class: int | None = None
               ) -> list[tuple[str, Path, str]]:
    """Write the cases of `seed` into out_dir; (class_name, pdf_path, reference_text).
    `per_class` (tests) makes that many of each class and language instead."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    cases = []
    for name, make in CLASSES.items():
        count = GOOD_PER_LANGUAGE if name == "textlayer-good" else PER_CLASS
        for language in ("ja", "en"):
            for number in range(per_class or count):
                path = out_dir / f"{name}-{language}-{seed}-{number}.pdf"
                made, lines = make(rnd, path, language == "ja")
                label = f"{name}-{language}" if name == "textlayer-good" else name
                cases.append((label, made, "\n".join(lines)))
    return cases


if __name__ == "__main__":  # python -m bench.eval.cases.text_layers OUT_DIR SEED
    for case in make_cases(Path(sys.argv[1]), int(sys.argv[2])):
        print(*case[:2], sep="\t")
