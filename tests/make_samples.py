"""Makes the documents in samples/: what the product is for, in small files.

    請求書_born-digital.pdf     a two-page invoice with a text layer (IPA Gothic embedded)
    見積書_scan.pdf             a scanned-looking quotation: an image-only PDF (noise, skew)
    領収書_photo.jpg            a photo of a receipt, stored rotated with EXIF Orientation=6
    掲示物_iphone.heic          an iPhone-style HEIC photo of a notice on the office wall
    議事録.docx                 meeting minutes: headings, a table, header and footer
    売上集計.xlsx               two sheets: dates, yen amounts, a △ negative
    取引先一覧.csv              a supplier list in CP932 (what Excel saves in Japan)
    見積依頼.eml                an e-mail in ISO-2022-JP with the invoice PDF attached
    書類一式.zip                a zip with CP932 member names (no UTF-8 flag, as Windows
                                writes them) holding the scan and the minutes
    議事録_Word97.doc           the minutes saved by LibreOffice as Word 97-2003
    売上集計_Excel97.xls        the sales workbook saved as Excel 97-2003
    新製品発表_PowerPoint97.ppt two slides with speaker notes, saved as PowerPoint 97-2003
    稟議書.rtf                  an approval request (header, table, footnote, text box) as RTF

Run `make samples` (or `python tests/make_samples.py [NAME...]`); needs the dev extras, the
IPA fonts and LibreOffice from scripts/install-system-deps.sh. The output is deterministic:
fixed dates in the document properties and zip entries, a seeded random generator for the
scan noise — except the files LibreOffice writes (.doc/.xls/.ppt/.rtf), which carry its save
time.
"""

from __future__ import annotations

import datetime
import io
import random
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent.parent / "samples"
FIXED = datetime.datetime(2024, 4, 1, 9, 0, 0)
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)


def font_path() -> str:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    raise SystemExit("IPA Gothic not found: run scripts/install-system-deps.sh runtime")


def normalize_zip(path: Path, replacements: dict[str, bytes] | None = None) -> None:
    """Rewrite a zip with fixed entry dates and a fixed `modified` property (openpyxl sets
    it to now on save), so the bytes are reproducible."""
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    members = [(name, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
                if name == "docProps/core.xml" else data) for name, data in members]
    members = [(name, (replacements or {}).get(name, data)) for name, data in members]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


# --- born-digital PDF ---------------------------------------------------------------------

INVOICE_ITEMS = (("ノートパソコン（14インチ）", 2, 148000), ("液晶モニター 27型", 2, 39800),
                 ("ドッキングステーション", 2, 18500), ("設定作業費", 1, 25000))


def born_digital_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(TTFont("IPAGothic", font_path()))
    canvas = Canvas(str(path), pagesize=A4, invariant=True)
    canvas.setTitle("請求書 INV-2024-0415")
    width, height = A4
    canvas.setFont("IPAGothic", 22)
    canvas.drawCentredString(width / 2, height - 80, "請求書")
    canvas.setFont("IPAGothic", 11)
    lines = ("株式会社みなと商事　御中", "請求番号：INV-2024-0415　発行日：2024年4月15日",
             "下記の通りご請求申し上げます。", "お支払期限：2024年5月31日")
    for number, line in enumerate(lines):
        canvas.drawString(60, height - 130 - number * 20, line)
    canvas.drawRightString(width - 60, height - 130, "東京ソフトウェア株式会社")
    canvas.drawRightString(width - 60, height - 148, "東京都千代田区丸の内1-2-3")
    y = height - 240
    canvas.drawString(60, y, "品名")
    canvas.drawRightString(380, y, "数量")
    canvas.drawRightString(width - 60, y, "金額（円）")
    subtotal = 0
    for name, quantity, price in INVOICE_ITEMS:
        y -= 22
        canvas.drawString(60, y, name)
        canvas.drawRightString(380, y, str(quantity))
        canvas.drawRightString(width - 60, y, f"{quantity * price:,}")
        subtotal += quantity * price
    tax = subtotal // 10
    for label, amount in (("小計", subtotal), ("消費税（10%）", tax), ("合計", subtotal + tax)):
        y -= 24
        canvas.drawString(300, y, label)
        canvas.drawRightString(width - 60, y, f"¥{amount:,}")
    canvas.showPage()
    canvas.setFont("IPAGothic", 11)
    notes = ("振込先：みずなみ銀行　丸の内支店　普通 1234567",
             "口座名義：トウキョウソフトウエア（カ）",
             "振込手数料は貴社にてご負担くださいますようお願い申し上げます。",
             "Payment terms: bank transfer within 45 days.")
    canvas.drawString(60, height - 80, "お振込のご案内")
    for number, line in enumerate(notes):
        canvas.drawString(60, height - 110 - number * 20, line)
    canvas.save()


# --- scanned-looking page and photo ------------------------------------------------------

QUOTATION = ("御見積書", "", "株式会社さくら建設　御中", "見積番号：Q-2024-0318",
             "件名：事務所内装工事", "", "一、床材張替え工事　　　　８５０，０００円",
             "一、照明器具交換　　　　　３２０，０００円",
             "一、会議室間仕切り設置　　４６０，０００円",
             "", "合計金額　１，６３０，０００円（税抜）", "有効期限：発行日より３０日",
             "", "上記の通り御見積申し上げます。")


def _text_page(lines: tuple[str, ...], size: tuple[int, int], font_size: int,
               margin: int) -> Image.Image:
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(font_path(), font_size)
    for number, line in enumerate(lines):
        draw.text((margin, margin + number * int(font_size * 1.6)), line, fill=20, font=font)
    return page


def _speckle(image: Image.Image, rng: random.Random, count: int) -> None:
    draw = ImageDraw.Draw(image)
    width, height = image.size
    for _ in range(count):
        x, y = rng.randrange(width), rng.randrange(height)
        draw.point((x, y), fill=rng.randrange(90, 200))


def scanned_pdf(path: Path) -> None:
    """A4 at 200 dpi, grey, slightly skewed and speckled, stored as an image-only PDF."""
    rng = random.Random(20240318)
    page = _text_page(QUOTATION, (1654, 2339), 46, 170)
    page = page.rotate(0.8, resample=Image.Resampling.BICUBIC, fillcolor=250)
    _speckle(page, rng, 2500)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    page.save(path, "PDF", resolution=200.0, quality=55, title="見積書",
              creationDate=FIXED.timetuple(), modDate=FIXED.timetuple())


RECEIPT = ("領収書", "", "山田 太郎 様", "", "金額　￥８，８００－", "但し　会議用弁当代として",
           "2024年3月22日", "", "喫茶 みなとや", "東京都港区芝浦2-1-5")


def photo_jpeg(path: Path) -> None:
    """A photo of a receipt: warm paper, shading, a tilt; pixels stored turned 90° to the
    left with EXIF Orientation=6, as phones do, so only a reader that honours EXIF sees
    it upright."""
    rng = random.Random(20240322)
    page = _text_page(RECEIPT, (900, 1100), 54, 80).convert("RGB")
    shade = Image.linear_gradient("L").resize(page.size).point(lambda v: 235 - v // 8)
    paper = Image.merge("RGB", (shade, shade.point(lambda v: v - 6), shade.point(lambda v: v - 22)))
    photo = Image.composite(page, paper, page.convert("L").point(lambda v: 255 if v < 128 else 0))
    photo = photo.rotate(-2.0, resample=Image.Resampling.BICUBIC, fillcolor=(60, 55, 50))
    _speckle(photo, rng, 800)
    photo = photo.filter(ImageFilter.GaussianBlur(0.5))
    stored = photo.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "cis-worker samples"  # Make
    stored.save(path, "JPEG", quality=72, exif=exif.tobytes())


NOTICE = ("社内掲示", "4月15日（月）は", "全館停電のため", "在宅勤務とします。", "総務部")


def photo_heic(path: Path) -> None:
    """A phone photo of a printed notice, stored as HEIC (HEVC in HEIF) as iPhones do.
    (x265 encodes deterministically for the same input and library versions.)"""
    import pillow_heif

    rng = random.Random(20240415)
    page = _text_page(NOTICE, (960, 1000), 72, 90).convert("RGB")
    shade = Image.linear_gradient("L").resize(page.size).point(lambda v: 240 - v // 10)
    paper = Image.merge("RGB", (shade, shade.point(lambda v: v - 4), shade.point(lambda v: v - 14)))
    photo = Image.composite(page, paper, page.convert("L").point(lambda v: 255 if v < 128 else 0))
    _speckle(photo, rng, 600)
    pillow_heif.from_pillow(photo.filter(ImageFilter.GaussianBlur(0.6))).save(
        str(path), quality=80, thumbnails=[320])  # iPhones embed a small preview too


# --- Office files and CSV ----------------------------------------------------------------

MINUTES_PREVIEW = ("第12回 営業会議 議事録", "日時：2024年4月8日（月）",
                   "場所：本社 5階 第一会議室", "決定事項", "・新製品の価格",
                   "・展示会に出展", "宿題事項")


def preview_jpeg(lines: tuple[str, ...]) -> bytes:
    """A first-page preview like the one Word stores when "save preview picture" is on."""
    page = _text_page(lines, (744, 1052), 34, 70).resize((248, 351), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    page.convert("RGB").save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def minutes_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    properties = document.core_properties
    properties.title, properties.author = "第12回 営業会議 議事録", "総務部"
    properties.created = properties.modified = FIXED
    properties.last_modified_by = "総務部"
    section = document.sections[0]
    section.header.paragraphs[0].text = "東京ソフトウェア株式会社　社外秘"
    section.footer.paragraphs[0].text = "作成：総務部　佐藤"
    document.add_heading("第12回 営業会議 議事録", 1)
    document.add_paragraph("日時：2024年4月8日（月）10:00〜11:30")
    document.add_paragraph("場所：本社 5階 第一会議室")
    document.add_paragraph("出席者：田中部長、鈴木、高橋、佐藤（記録）")
    document.add_heading("決定事項", 2)
    document.add_paragraph("新製品の価格は税抜 98,000円とする。", style="List Bullet")
    document.add_paragraph("展示会（5月21日〜23日）に出展する。", style="List Bullet")
    document.add_heading("宿題事項", 2)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("内容", "担当", "期限"), strict=True):
        cell.text = text
    for row in (("見積書をさくら建設へ送付", "鈴木", "4月12日"),
                ("展示会ブースのレイアウト案", "高橋", "4月19日")):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    document.add_paragraph("次回：2024年4月22日（月）10:00〜")
    document.save(str(path))
    # python-docx's template carries a blank preview: replace it with one of this document.
    normalize_zip(path, {"docProps/thumbnail.jpeg": preview_jpeg(MINUTES_PREVIEW)})


def sales_xlsx(path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.properties.title = "2024年度 第1四半期 売上集計"
    workbook.properties.creator = "経理部"
    workbook.properties.created = workbook.properties.modified = FIXED
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "売上明細"
    sheet.append(["日付", "取引先", "品目", "数量", "金額"])
    rows = ((datetime.date(2024, 4, 3), "株式会社みなと商事", "ノートパソコン", 2, 296000),
            (datetime.date(2024, 4, 10), "さくら建設株式会社", "設定作業費", 1, 25000),
            (datetime.date(2024, 5, 7), "有限会社ひかり電機", "液晶モニター", 5, 199000),
            (datetime.date(2024, 6, 14), "株式会社みなと商事", "返品（モニター）", -1, -39800))
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=2):
        cells[0].number_format = "yyyy/m/d"
        cells[4].number_format = '"¥"#,##0;△"¥"#,##0'
    totals = workbook.create_sheet("月別集計")
    totals.append(["月", "売上高", "前年比"])
    for month, amount, ratio in (("4月", 321000, 1.08), ("5月", 199000, 0.92),
                                 ("6月", -39800, None)):
        totals.append([month, amount, ratio])
    for cells in totals.iter_rows(min_row=2):
        cells[1].number_format = "#,##0;△#,##0"
        cells[2].number_format = "0.0%"
    workbook.save(str(path))
    normalize_zip(path)


def suppliers_csv(path: Path) -> None:
    rows = ("取引先コード,取引先名,担当者,電話番号,住所",
            "S-001,株式会社みなと商事,伊藤 健一,03-1234-5678,東京都港区芝浦1-1-1",
            "S-002,さくら建設株式会社,渡辺 美咲,06-2345-6789,大阪府大阪市北区梅田2-2-2",
            "S-003,有限会社ひかり電機,中村 翔,052-345-6789,愛知県名古屋市中区栄3-3-3",
            "S-004,髙橋精機株式会社,小林 直子,092-456-7890,福岡県福岡市博多区博多駅前4-4-4")
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp932"))


# --- containers: an e-mail and a zip ------------------------------------------------------

def _bytes_of(make: Callable[[Path], None], name: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        make(path)
        return path.read_bytes()


def request_eml(path: Path) -> None:
    """ISO-2022-JP headers and body, the invoice PDF attached (base64, RFC 2231 name)."""
    body = MIMEText("佐藤様\n\nいつもお世話になっております。\n請求書を添付いたします。\n"
                    "ご確認のほどよろしくお願いいたします。\n\n株式会社サンプル 経理部 山田",
                    "plain", "iso-2022-jp")
    attachment = MIMEApplication(_bytes_of(born_digital_pdf, "a.pdf"), "pdf")
    attachment.add_header("Content-Disposition", "attachment",
                          filename=("utf-8", "", "請求書_born-digital.pdf"))
    message = MIMEMultipart("mixed", boundary="==cis-sample-boundary==",
                            _subparts=[body, attachment])
    message["Subject"] = Header("【請求書送付】4月分のご請求について", "iso-2022-jp")
    message["From"] = formataddr(("山田 太郎", "yamada@example.co.jp"), charset="iso-2022-jp")
    message["To"] = formataddr(("佐藤 花子", "sato@example.co.jp"), charset="iso-2022-jp")
    message["Date"] = format_datetime(FIXED.replace(tzinfo=datetime.timezone(
        datetime.timedelta(hours=9))))
    message["Message-ID"] = "<20240401090000.sample@example.co.jp>"
    path.write_bytes(message.as_bytes())


class _Cp932Name(zipfile.ZipInfo):
    """A member named in CP932 without the UTF-8 flag, as Japanese Windows writes them."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("cp932"), self.flag_bits & ~0x800


def documents_zip(path: Path) -> None:
    members = {"2024年度/見積書_scan.pdf": _bytes_of(scanned_pdf, "a.pdf"),
               "議事録.docx": _bytes_of(minutes_docx, "a.docx")}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = _Cp932Name(name, date_time=(2024, 4, 1, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


# --- legacy Office and RTF: written by LibreOffice ---------------------------------------


def launch_pptx(path: Path) -> None:
    sys.path.insert(0, str(HERE.parent))
    from tests.fixtures.office_documents import make_slides_pptx

    make_slides_pptx(path, title="新製品発表会", slides=(
        ("新製品発表会のご案内", "会場：大阪国際会議場　2024年6月5日（水）",
         "質疑応答は十五分を予定。報道関係者の席は前列に用意する。"),
        ("販売計画", "初年度目標：一万二千台／代理店網を全国四十社に拡大",
         "代理店向けの説明会は別途、名古屋と福岡で開く。")))


def _saved_by_libreoffice(make: Callable[[Path], object], source_name: str,
                          suffix: str) -> Callable[[Path], None]:
    """A maker that writes the source with `make`, then has LibreOffice save it as `suffix`."""
    def maker(path: Path) -> None:
        sys.path.insert(0, str(HERE.parent))
        from tests.fixtures.office_documents import soffice_convert

        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / source_name
            make(source)
            converted = soffice_convert(source, suffix, Path(folder) / "out")
            shutil.move(converted, path)
    return maker


def _word_odt(path: Path) -> None:
    sys.path.insert(0, str(HERE.parent))
    from tests.fixtures.office_documents import make_word_odt

    make_word_odt(path)


def main() -> None:
    makers = {
        "請求書_born-digital.pdf": born_digital_pdf,
        "見積書_scan.pdf": scanned_pdf,
        "領収書_photo.jpg": photo_jpeg,
        "掲示物_iphone.heic": photo_heic,
        "議事録.docx": minutes_docx,
        "売上集計.xlsx": sales_xlsx,
        "取引先一覧.csv": suppliers_csv,
        "見積依頼.eml": request_eml,
        "書類一式.zip": documents_zip,
        "議事録_Word97.doc": _saved_by_libreoffice(minutes_docx, "議事録.docx", ".doc"),
        "売上集計_Excel97.xls": _saved_by_libreoffice(sales_xlsx, "売上集計.xlsx", ".xls"),
        "新製品発表_PowerPoint97.ppt": _saved_by_libreoffice(launch_pptx, "新製品発表.pptx",
                                                             ".ppt"),
        "稟議書.rtf": _saved_by_libreoffice(_word_odt, "稟議書.odt", ".rtf"),
    }
    only = set(sys.argv[1:])
    for name, make in makers.items():
        if only and name not in only:
            continue
        make(HERE / name)
        print(f"{(HERE / name).stat().st_size:>8}  samples/{name}")


if __name__ == "__main__":
    main()
