"""Presentation slides with real charts (matplotlib, Japanese labels): a title, bullet points
and a bar or line chart with grid lines, axis labels, tick labels and a legend; and a slide
that is mostly plot (dense curves, scatter, grid). The reference holds every piece of text
drawn, so reading the graphics as text shows up as output longer than the reference.
"""

from __future__ import annotations

import random
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.figure import Figure

from bench.eval.render import FontFile, gothic

Case = tuple[str, Path, str]
SLIDE_DPI = 150  # a 13.33 x 7.5 in slide: 2000 x 1125 pixels
TITLES = ("売上高の推移", "地域別の販売実績", "月別の来場者数", "製品別シェアの比較",
          "気温と電力需要")
BULLETS = ("前年同期比で一二％増加", "関東地区が全体の半分を占める", "新製品の販売が好調",
           "下半期は在庫の調整が必要", "来期の目標は売上百億円")
SERIES = ("東京", "大阪", "名古屋", "福岡")
MONTHS = ("1月", "2月", "3月", "4月", "5月", "6月")


def make_cases(out_dir: Path, seed: int) -> list[Case]:
    out_dir.mkdir(parents=True, exist_ok=True)
    cases = []
    for maker in (slide_chart, slide_plot):
        rng = random.Random(f"{maker.__name__}-{seed}")
        figure, reference = maker(rng, seed)
        path = out_dir / f"{maker.__name__}-{seed}.png"
        figure.savefig(path, dpi=SLIDE_DPI)
        plt.close(figure)
        cases.append((maker.__name__, path, reference))
    return cases


def _family(face: FontFile) -> str:
    font_manager.fontManager.addfont(face.path)
    return font_manager.FontProperties(fname=face.path).get_name()


def slide_chart(rng: random.Random, seed: int) -> tuple[Figure, str]:
    family = _family(gothic(rng, seed))
    plt.rcParams["font.family"] = family
    figure = plt.figure(figsize=(13.33, 7.5))
    title = rng.choice(TITLES)
    figure.text(0.05, 0.9, title, fontsize=36)
    bullets = rng.sample(BULLETS, 3)
    for row, bullet in enumerate(bullets):
        figure.text(0.05, 0.7 - row * 0.12, f"・{bullet}", fontsize=20)
    axes = figure.add_axes((0.5, 0.15, 0.45, 0.6))
    names = rng.sample(SERIES, rng.randint(2, 3))
    months = list(MONTHS[: rng.randint(4, 6)])
    for offset, name in enumerate(names):
        values = [rng.randint(20, 95) for _ in months]
        if rng.random() < 0.5:
            axes.plot(months, values, marker="o", label=name)
        else:
            axes.bar([i + offset * 0.25 for i in range(len(months))], values, width=0.25,
                     label=name)
            axes.set_xticks(range(len(months)), months)
    axes.grid(True)
    axes.set_yticks([0, 25, 50, 75, 100])
    xlabel, ylabel = "月", rng.choice(("売上（百万円）", "件数", "来場者数（千人）"))
    axes.set_xlabel(xlabel, fontsize=16)
    axes.set_ylabel(ylabel, fontsize=16)
    axes.legend(fontsize=14)
    reference = [title, *(f"・{b}" for b in bullets), " ".join(months), "0 25 50 75 100",
                 xlabel, ylabel, *names]
    return figure, "\n".join(reference)


def slide_plot(rng: random.Random, seed: int) -> tuple[Figure, str]:
    """Mostly graphics: many noisy curves, a scatter, a dense grid; a title and labels."""
    family = _family(gothic(rng, seed))
    plt.rcParams["font.family"] = family
    figure = plt.figure(figsize=(13.33, 7.5))
    title = rng.choice(TITLES)
    figure.text(0.05, 0.92, title, fontsize=32)
    axes = figure.add_axes((0.1, 0.12, 0.85, 0.7))
    xs = list(range(200))
    for _ in range(rng.randint(3, 6)):
        level = rng.uniform(10, 90)
        ys = []
        for _ in xs:
            level = min(100, max(0, level + rng.gauss(0, 3)))
            ys.append(level)
        axes.plot(xs, ys, linewidth=1)
    axes.scatter([rng.uniform(0, 200) for _ in range(80)], [rng.uniform(0, 100) for _ in range(80)],
                 s=12, color="gray")
    axes.set_xticks([0, 50, 100, 150, 200])
    axes.set_yticks([0, 20, 40, 60, 80, 100])
    axes.minorticks_on()
    axes.grid(True, which="both", linewidth=0.5)
    xlabel, ylabel = "経過日数", "指数"
    axes.set_xlabel(xlabel, fontsize=16)
    axes.set_ylabel(ylabel, fontsize=16)
    reference = [title, "0 50 100 150 200", "0 20 40 60 80 100", xlabel, ylabel]
    return figure, "\n".join(reference)
