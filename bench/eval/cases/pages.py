"""Scanned-page classes: vertical novels and columns, mixed vertical pages with horizontal
headers, horizontal text, business letters with a title and a red hanko, receipts, tables
and forms, rotated pages and photographed pages. One page of each class per seed.

Every page is drawn at 300 dpi and saved as PNG (a photo as JPEG) with its resolution; the
reference text is what is printed on it, in reading order (columns right to left).
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from bench.eval import corpus
from bench.eval.render import (
    A4,
    DPI,
    draw_lines,
    draw_vertical,
    font,
    gothic,
    mincho,
    page,
    wrap,
)

Case = tuple[str, Path, str]


def make_cases(out_dir: Path, seed: int) -> list[Case]:
    out_dir.mkdir(parents=True, exist_ok=True)
    makers = (vertical_novel, vertical_column, vertical_mixed, horizontal, letter_hanko,
              receipt, table_form, rotated, photo)
    cases = []
    for maker in makers:
        rng = random.Random(f"{maker.__name__}-{seed}")
        image, reference = maker(rng, seed)
        name = maker.__name__
        path = out_dir / f"{name}-{seed}.{'jpg' if name == 'photo' else 'png'}"
        if name == "photo":
            image.save(path, quality=rng.randint(45, 70), dpi=(DPI, DPI))
        else:
            image.save(path, dpi=(DPI, DPI))
        cases.append((name, path, reference))
    return cases


def vertical_novel(rng: random.Random, seed: int) -> tuple[Image.Image, str]:
    """A novel's page: columns of Mincho right to left, a page number below."""
    size = rng.choice((38, 42, 46, 50))
    width, height = rng.choice(((1748, 2480), A4))
    face = mincho(rng, seed)
    per_column = (height - 500) // int(size * 1.05)
    columns = (width - 400) // int(size * 1.7)
    text = "".join(corpus.lines(rng, corpus.NOVEL, 40))[: per_column * columns]
    image = page((width, height))
    placed, _ = draw_vertical(image, text, (width - 200, 250), face, size,
                              chars_per_column=per_column)
    number = str(rng.randint(3, 250))
    ImageDraw.Draw(image).text((width // 2, height - 170), number, font=font(face, 34), fill=0)
    return image, "\n".join([*placed, number])


def vertical_column(rng: random.Random, seed: int) -> tuple[Image.Image, str]:
    """One vertical column (often kana only), large, on a small card or a white page."""
    size = rng.choice((60, 72, 90))
    text = rng.choice(corpus.KANA + corpus.NOVEL[:6]).replace(" ", "")
    face = rng.choice((mincho(rng, seed), gothic(rng, seed)))
    height = int(len(text) * size * 1.05) + 400
    width = rng.choice((size * 4, 1200))
    image = page((width, height))
    placed, _ = draw_vertical(image, text, (width // 2 + size // 2, 200), face, size,
                              chars_per_column=len(text))
    return image, "\n".join(placed)


def vertical_mixed(rng: random.Random, seed: int) -> tuple[Image.Image, str]:
    """A gazette or magazine page: a horizontal header and date, then two tiers of vertical
    columns separated by a rule."""
    image = page()
    draw = ImageDraw.Draw(image)
    title_face, body_face = gothic(rng, seed), mincho(rng, seed)
    header = rng.choice(corpus.HEADERS)
    draw.text((200, 180), header, font=font(title_face, 90), fill=0)
    date = f"令和{rng.randint(2, 7)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
    draw.text((1650, 210), date, font=font(body_face, 44), fill=0)
    draw.line((150, 340, 2330, 340), fill=0, width=6)
    size = rng.choice((38, 42))
    per_column = 1350 // int(size * 1.05)
    pool = corpus.BUSINESS[:14] if rng.random() < 0.5 else corpus.NOVEL
    text = "".join(corpus.lines(rng, pool, 30))
    count = 2050 // int(size * 1.7)
    first, _ = draw_vertical(image, text[: per_column * count], (2300, 420), body_face, size,
                             chars_per_column=per_column)
    draw.line((150, 1850, 2330, 1850), fill=0, width=3)
    second, _ = draw_vertical(image, text[per_column * count: 2 * per_column * count],
                              (2300, 1930), body_face, size, chars_per_column=per_column)
    return image, "\n".join([header, date, *first, *second])


def horizontal(rng: random.Random, seed: int) -> tuple[Image.Image, str]:
    """A4 of business prose, 10-12 pt, Japanese with some English, in paragraphs; set
    loosely or tightly (leading 1.3: the lines line up in columns too, Layout.undecided)."""
    image = page()
    draw = ImageDraw.Draw(image)
    size = rng.choice((38, 42, 46))
    face = rng.choice((mincho(rng, seed), gothic(rng, seed)))
    per_line = 2000 // size
    lines: list[str] = []
    for sentence in corpus.lines(rng, corpus.BUSINESS + corpus.ENGLISH, 14):
        lines += wrap(sentence, per_line if not sentence.isascii() else 200)
    draw_lines(draw, lines[:30], (240, 260), face, size,
               leading=rng.choice((1.3, 1.45, 1.6, 1.9)))
    return image, "\n".join(lines[:30])


def letter_hanko(rng: random.Random, seed: int) -> tuple[Image.Image, str]:
    """A business letter in colour: a large title, date, addressee, body, the sender's name
    with a red seal stamped over it."""
    image = page(mode="RGB")
    draw = ImageDraw.Draw(image)
    title = rng.choice(corpus.TITLES)
    title_size = rng.choice((90, 110, 130))
    draw.text((1240 - len(title) * title_size // 2, 220), title,
              font=font(gothic(rng, seed), title_size), fill=(0, 0, 0))
    body_face = mincho(rng, seed)
    date = f"{rng.randint(2019, 2025)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
    draw.text((1750, 480), date, font=font(body_face, 42), fill=(0, 0, 0))
    to = f"株式会社{rng.choice(('サンプル', '日本商事', '東西物産'))}　御中"
    draw.text((200, 600), to, font=font(body_face, 48), fill=(0, 0, 0))
    body = [part for s in corpus.lines(rng, corpus.BUSINESS[:6], 4) for part in wrap(s, 44)]
    y = draw_lines(draw, body, (200, 800), body_face, 44)
    sender = f"{rng.choice(('山田', '佐藤', '鈴木'))}商店　代表　{rng.choice(('太郎', '花子'))}"
    draw.text((1250, y + 150), sender, font=font(body_face, 48), fill=(0, 0, 0))
    _hanko(image, (1250 + len(sender) * 48 - 120, y + 110), rng.choice(("印", "山田", "佐藤")))
    return image, "\n".join([title, date, to, *body, sender])


def _hanko(image: Image.Image, centre: tuple[int, int], name: str) -> None:
    """A red round seal, half transparent, over whatever is printed there."""
    stamp = Image.new("L", (240, 240), 0)
    draw = ImageDraw.Draw(stamp)
    draw.ellipse((8, 8, 232, 232), outline=255, width=12)
    size = 140 if len(name) == 1 else 90
    face = mincho(random.Random(name), 0)
    for row, char in enumerate(name):
        draw.text((120 - size // 2, 120 - size * len(name) // 2 + row * size), char,
                  font=font(face, size), fill=255)
    red = Image.new("RGB", stamp.size, (220, 30, 40))
    image.paste(red, (centre[0] - 120, centre[1] - 120), stamp.point(lambda v: v * 4 // 5))


def receipt(rng: random.Random, seed: int) -> tuple[Image.Image, str]:
    """A till receipt: narrow, Gothic, items with prices on the right, a total."""
    face = gothic(rng, seed)
    size = rng.choice((34, 40))
    items = rng.sample(corpus.ITEMS, rng.randint(4, 8))
    image = page((900, 600 + len(items) * 70 + 400))
    draw = ImageDraw.Draw(image)
    store = rng.choice(("サンプルマート 駅前店", "まちかど商店", "ひかり書店"))
    lines = [store, f"2024年{rng.randint(1, 12)}月{rng.randint(1, 28)}日 {rng.randint(9, 20)}:"
             f"{rng.randint(10, 59)}"]
    draw.text((80, 80), lines[0], font=font(face, size + 8), fill=0)
    draw.text((80, 170), lines[1], font=font(face, size - 6), fill=0)
    y = 300
    typeface = font(face, size)
    for name, price in items:
        draw.text((80, y), name, font=typeface, fill=0)
        text = f"¥{price:,}"
        draw.text((820 - int(typeface.getlength(text)), y), text, font=typeface, fill=0)
        lines.append(f"{name} {text}")
        y += 70
    total = f"¥{sum(price for _, price in items):,}"
    draw.line((80, y + 10, 820, y + 10), fill=0, width=2)
    draw.text((80, y + 40), "合計", font=font(face, size + 6), fill=0)
    draw.text((820 - int(font(face, size + 6).getlength(total)), y + 40), total,
              font=font(face, size + 6), fill=0)
    lines.append(f"合計 {total}")
    return image, "\n".join(lines)


def table_form(rng: random.Random, seed: int) -> tuple[Image.Image, str]:
    """A form: a title and a ruled table (品名, 数量, 単価, 金額) with a total row."""
    image = page()
    draw = ImageDraw.Draw(image)
    face = gothic(rng, seed)
    title = rng.choice(("納品書", "御見積書", "請求明細"))
    draw.text((1000, 200), title, font=font(face, 100), fill=0)
    heads = ("品名", "数量", "単価", "金額")
    columns = (200, 1000, 1400, 1800, 2280)
    rows = [heads]
    for name, price in rng.sample(corpus.ITEMS, rng.randint(5, 9)):
        count = rng.randint(1, 20)
        rows.append((name, str(count), f"{price:,}", f"{price * count:,}"))
    typeface = font(rng.choice((face, mincho(rng, seed))), 44)
    top, height = 500, 100
    for number, row in enumerate(rows):
        y = top + number * height
        for column, cell in enumerate(row):
            draw.text((columns[column] + 30, y + 25), cell, font=typeface, fill=0)
    bottom = top + len(rows) * height
    for number in range(len(rows) + 1):
        draw.line((200, top + number * height, 2280, top + number * height), fill=0, width=3)
    for x in columns:
        draw.line((x, top, x, bottom), fill=0, width=3)
    return image, "\n".join([title, *(" ".join(row) for row in rows)])


def rotated(rng: random.Random, seed: int) -> tuple[Image.Image, str]:
    """A horizontal text page scanned sideways or upside down."""
    image, reference = horizontal(rng, seed)
    return image.rotate(rng.choice((90, 180, 270)), expand=True, fillcolor=255), reference


def photo(rng: random.Random, seed: int) -> tuple[Image.Image, str]:
    """A horizontal page photographed: tinted paper, perspective, shadow, blur, JPEG."""
    image, reference = horizontal(rng, seed)
    width, height = image.size
    skew = [rng.randint(20, 140) for _ in range(8)]
    corners = (skew[0], skew[1], skew[6], height - skew[7], width - skew[4], height - skew[5],
               width - skew[2], skew[3])  # upper left, lower left, lower right, upper right
    warped = image.transform((width, height), Image.Transform.QUAD, corners,
                             Image.Resampling.BICUBIC, fillcolor=90)
    shade = Image.linear_gradient("L").resize((width, height))
    shade = shade.rotate(rng.choice((0, 90, 180, 270))).point(lambda v: 150 + v * 105 // 255)
    shaded = Image.composite(warped, Image.new("L", warped.size, 0), shade)
    blurred = shaded.filter(ImageFilter.GaussianBlur(rng.choice((0.8, 1.2, 1.6))))
    tint = Image.merge("RGB", (blurred, blurred.point(lambda v: v * 96 // 100),
                               blurred.point(lambda v: v * 88 // 100)))
    return tint, reference
