"""Japanese and English text for the evaluation pages, written for this project.

Narrative prose (the kind a vertical novel holds), business and public-notice prose (letters,
gazettes), short kana-only phrases, and table/receipt items. A page draws its lines from
these with a seeded random generator, so a seed gives the same page every time.
"""

from __future__ import annotations

import random

NOVEL = (
    "その朝、町はいつもより静かだった。",
    "私は窓を開けて、遠くの山を眺めた。",
    "川の流れは冷たく、石の上に光が揺れていた。",
    "祖母の家は坂の上にあり、庭には古い柿の木が立っていた。",
    "汽車が駅に着くと、人々は黙って降りていった。",
    "彼女は小さな声で、明日また来ますと言った。",
    "夕暮れの空に、鳥の群れが西へ渡っていく。",
    "机の上には読みかけの本と冷めた茶碗が残っていた。",
    "春になれば、この道も桜の花で白くなるだろう。",
    "兄は何も言わずに、ただ火鉢の灰をかき回していた。",
    "雨の音を聞きながら、私は長い手紙を書いた。",
    "港の灯りが一つずつ消えて、夜が深くなった。",
    "少年は走りながら、何度も後ろを振り返った。",
    "古い写真の中で、父はまだ若く笑っていた。",
    "雪の降る晩に、村の人々は寺に集まった。",
    "先生は黒板に大きな字で今日の言葉を書いた。",
    "海辺の小屋で、漁師たちは網を繕っていた。",
    "月の光が障子を通して、部屋を青く照らした。",
    "私たちは峠を越えて、ようやく隣の町に着いた。",
    "母の作る味噌汁の匂いが、台所から流れてきた。",
)
BUSINESS = (
    "平素より格別のご高配を賜り、厚く御礼申し上げます。",
    "さて、下記のとおり会議を開催いたしますのでご案内申し上げます。",
    "つきましては、ご多忙中誠に恐縮ではございますがご出席くださいますようお願い申し上げます。",
    "本件に関するお問い合わせは総務部までご連絡ください。",
    "令和六年度の事業計画について、以下のとおり報告いたします。",
    "新製品の販売開始に伴い、価格表を改定いたしました。",
    "請求書の発行についてご連絡します。",
    "見積書の金額は合計で十二万円です。",
    "東京都千代田区霞が関一丁目二番三号",
    "第一条　この規則は、職員の勤務時間に関し必要な事項を定める。",
    "第二条　職員の勤務時間は、一週間について三十八時間四十五分とする。",
    "申請書は所定の様式により、期日までに提出しなければならない。",
    "市民の皆様のご理解とご協力をお願いいたします。",
    "四月一日から新しい窓口の受付時間が変わります。",
    "Tesseract 5で日本語の文書を読み取る。",
    "会議資料はメールで事前に送付いたします。",
)
KANA = (
    "あさがおのはなが さきました",
    "きょうは いいてんきですね",
    "こんにちは おげんきですか",
    "ありがとう ございました",
    "むかしむかし あるところに",
    "おじいさんと おばあさんが すんでいました",
    "カタカナの テキストを よみとります",
    "ひらがなと カタカナ",
)
ENGLISH = (
    "Please reply by Friday, 15 March.",
    "Quarterly sales report",
    "Total amount due",
    "Thank you for your business.",
)
ITEMS = (
    ("コピー用紙", 580), ("ボールペン", 120), ("ノート", 240), ("封筒", 310),
    ("牛乳", 198), ("食パン", 168), ("卵", 248), ("りんご", 398), ("緑茶", 138),
    ("電池", 450), ("付箋", 220), ("ファイル", 330), ("ホッチキス", 780), ("消しゴム", 90),
)
TITLES = ("御見積書", "請求書", "事業計画書", "会議のご案内", "納品書", "お知らせ", "報告書")
HEADERS = ("第三章　春の訪れ", "官報　第一二三四号", "市政だより　四月号", "短編小説集",
           "第二話　港町の夜")


def lines(rng: random.Random, pool: tuple[str, ...], count: int) -> list[str]:
    """`count` lines from `pool`, in a seeded order, repeating only when the pool runs out."""
    order = list(pool)
    rng.shuffle(order)
    return [order[i % len(order)] for i in range(count)]
