"""A varied set of short and long texts in Western European and Japanese encodings, for the
encoding detection tests and the accuracy figure in the README: each text is encoded by
Python's own codecs (the real encoders), and a detection is right when decoding with the
detected codec gives the text back."""

from __future__ import annotations

from dataclasses import dataclass

WESTERN = {
    "pt": ("não", "ação", "São Paulo", "Não há informação disponível.",
           "O relatório de produção está em anexo, obrigado pela atenção.",
           "id;nome;cidade\n1;João;São Paulo\n2;Conceição;Belém\n"),
    "fr": ("café", "Élève", "François", "Renée", "Le comité a approuvé le budget de l'année.",
           "Où est la réunion ? À côté du théâtre, près de la gare."),
    "de": ("Müller", "Größe", "Straße", "Grüße aus München",
           "Die Prüfung der Unterlagen ist für Montag geplant.",
           "Name;Ort\nJürgen Schäfer;Köln\nUlrike Weiß;Düsseldorf\n"),
    "es": ("año", "señor", "José", "La reunión será el miércoles por la mañana.",
           "¿Dónde está la estación? ¡Qué día!"),
    "it": ("perché", "Città", "Il progetto sarà completato entro venerdì, così è."),
    "nordic": ("Göteborg", "Søren", "Ångström", "Blåbærsyltetøj",
               "Återförsäljare i Malmö och Västerås", "Hyvää päivää, kiitos paljon"),
    "nl": ("coördinatie", "Zoë", "Café Één aan de Dam"),
    "cp1252": ("It’s “quoted” – done…", "Preis: 100 €", "Smith’s report — final"),
}
JAPANESE = {
    "word": ("東京", "髙橋", "請求書", "大阪", "山田太郎", "株式会社", "議事録", "ありがとう",
             "ｶﾌﾞｼｷｶﾞｲｼｬ", "ﾃﾞｰﾀ", "見積", "営業部", "名古屋", "品番"),
    "short": ("東京都港区", "見積書の送付", "来週の会議", "A社の見積", "第1回会議",
              "Tesseract 5で日本語", "担当：田中"),
    "csv": ("ID,氏名,住所\n1,山田太郎,東京都港区\n2,鈴木花子,大阪市北区\n",
            "品番,数量\nA-001,10個\nB-002,5箱\n", "コード,名称\nX1,ﾉｰﾄPC\nX2,ﾓﾆﾀｰ\n",
            "社員番号,氏名\n1001,渡邊\n1002,齋藤\n"),
    "prose": ("請求書の発行についてご連絡します。", "本日は東京本社で会議を行います。",
              "見積書の金額は合計で十二万円です。よろしくお願いいたします。",
              "議事録：来週の打ち合わせについて\n次回は金曜日です。\n"),
}


@dataclass(frozen=True)
class Sample:
    group: str  # e.g. "pt/cp1252", "word/cp932"
    text: str
    data: bytes


def samples() -> list[Sample]:
    found: list[Sample] = []
    for language, texts in WESTERN.items():
        for text in texts:
            for encoding in ("cp1252", "latin-1"):
                try:
                    data = text.encode(encoding)
                except UnicodeEncodeError:
                    continue  # € and curly quotes are CP1252 only
                found.append(Sample(f"{language}/{encoding}", text, data))
    for kind, texts in JAPANESE.items():
        for text in texts:
            for encoding in ("cp932", "euc-jp"):
                try:
                    data = text.encode(encoding)
                except UnicodeEncodeError:
                    continue  # 髙 is a CP932 (IBM extension) character only
                found.append(Sample(f"{kind}/{encoding}", text, data))
    return found


def decodes_back(sample: Sample, encoding: str | None) -> bool:
    if encoding is None:
        return False
    try:
        return sample.data.decode(encoding) == sample.text
    except (UnicodeDecodeError, LookupError):
        return False


WESTERN_WORDS = (
    "não", "ação", "coração", "informações", "português", "você", "além", "após", "também",
    "café", "élève", "été", "garçon", "français", "noël", "où", "très", "déjà", "hôtel",
    "Müller", "Größe", "Straße", "schön", "Bücher", "Äpfel", "über", "Köln", "Fußball",
    "año", "señor", "niño", "mañana", "corazón", "información", "canción", "está",
    "perché", "città", "però", "più", "così", "Göteborg", "Malmö", "Søren", "Ålborg",
    "smørrebrød", "Reykjavík", "Þór", "coördinatie", "ingrédient", "façade", "naïve",
)
LATIN_FILLER = ("der", "la", "de", "und", "le", "el", "report", "team", "2024", "Nr.", "et")
JAPANESE_WORDS = (
    "山田", "田中", "佐藤", "鈴木", "高橋", "伊藤", "渡辺", "中村", "小林", "加藤", "吉田",
    "東京", "大阪", "京都", "横浜", "札幌", "福岡", "神戸", "仙台", "広島", "会議", "請求",
    "見積", "納品", "契約", "予算", "売上", "経理", "総務", "営業", "資料", "報告", "確認",
    "お願い", "ありがとう", "よろしく", "データ", "システム", "サーバー", "メール", "ファイル",
    "ｶﾞｲﾄﾞ", "ﾃﾞｰﾀ", "ﾊﾞｰｼﾞｮﾝ", "ﾊﾟｿｺﾝ", "株式会社", "有限会社", "第1回", "A社", "10個",
)


def generated(seed: int = 8, count: int = 300) -> list[Sample]:
    """Random phrases of 1-6 words (seeded): Western words with Latin filler in CP1252 and
    Latin-1, Japanese words (sometimes with ASCII digits and commas) in CP932 and EUC-JP."""
    import random

    rng = random.Random(seed)
    found: list[Sample] = []
    for number in range(count):
        size = rng.choice((1, 1, 2, 3, 6))
        if number % 2:
            words = [rng.choice(WESTERN_WORDS if rng.random() < 0.6 else LATIN_FILLER)
                     for _ in range(size)]
            if not any(word in WESTERN_WORDS for word in words):
                words[0] = rng.choice(WESTERN_WORDS)
            text = " ".join(words)
            encodings: tuple[str, ...] = ("cp1252", "latin-1")
        else:
            text = rng.choice(("", ",", "、")).join(rng.choice(JAPANESE_WORDS)
                                                    for _ in range(size))
            encodings = ("cp932", "euc-jp")
        for encoding in encodings:
            try:
                found.append(Sample(f"generated/{encoding}", text, text.encode(encoding)))
            except UnicodeEncodeError:
                continue
    return found
