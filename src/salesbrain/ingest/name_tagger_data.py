"""Labelled name/address spans for the name tagger, built from real text and written lines.

    python -m salesbrain.ingest.name_tagger_data --out var/data/name_tagger

(writes train/validation/test)

Sources (every one deterministic by seed):
- jddc2019 chat_sample and jddc2018 train.enc/dec: their publisher replaced names and addresses
  with `[姓名x]` / `[地址x]`, which marks where they stood in real sentences. Each is filled with
  a surrogate (full name, 王阿姨-style title, nickname; street or compound address with room)
  and its span recorded; other placeholders get plausible values (digits, amounts, dates).
  The de-identifier also replaced pieces of product titles and ordinary words (九洲[姓名x]床垫,
  谢[姓名x]姐姐): lines with product snapshots or a placeholder wedged inside a word are dropped.
- crosswoz: real public addresses of restaurants, hotels and sights, spans from the dialogue acts.
- negatives: real sentences with no placeholder (JDDC, CrossWOZ's restaurant and hotel names,
  clothing/shampoo/milk reviews with brand names).
- `data/redaction/name_tagger_templates.txt`: WeCom fashion/beauty lines written for this
  project (signatures, role and kinship words, nicknames, brands and stores as negatives).

The split is by source sentence: a line's template (placeholders unnumbered) is hashed, so the
same sentence filled twice never lands in two splits. No shared text is written to the repo.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from salesbrain.ingest import name_tagger_surrogates as sur
from salesbrain.paths import REPO_ROOT, shared_data_dir

TEMPLATES = REPO_ROOT / "data" / "redaction" / "name_tagger_templates.txt"
SPLITS = {"train": 0.8, "validation": 0.1, "test": 0.1}
MAX_CHARS = 120
Labelled = dict  # {"text", "spans": [[kind, start, end]], "source", "group", "split"}

_PLACEHOLDER = re.compile(r"\[(?:订单编号:)?\[?([^\[\]\dx]+?)_?[\da-z]*\]\]?")
_JDDC_NOISE = re.compile(r"商品快照|请问是这个商品吗|\[姓名[\da-z]*\]\[姓名|[A-Za-z]\[姓名"
                         r"|谢\[姓名|\[姓名[\da-z]*\]站")
_WEDGED = re.compile(r"[\u4e00-\u9fff]\[姓名[\da-z]*\][\u4e00-\u9fff]")
_TITLE_AFTER = re.compile(r"先生|女士|小姐|姐|哥|总|老师|阿姨")
_REGION_BEFORE = re.compile(
    r"(?:北京|上海|天津|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北"
    r"|湖南|广东|广西|海南|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|内蒙古)[省市]?\s?$")
_SLOT = re.compile(r"\{(\w+)\}")


def _filler(kind: str, rng: random.Random) -> str:
    """A plausible value for a JDDC placeholder that is not a name or an address."""
    values = {
        "数字": lambda: str(rng.choice((rng.randint(1, 9), rng.randint(10, 999)))),
        "金额": lambda: f"{rng.randint(9, 2999)}.{rng.choice(('00', '90', '50'))}",
        "日期": lambda: f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "时间": lambda: f"{rng.randint(8, 22)}:{rng.choice(('00', '30', '15'))}",
        "电话": lambda: f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
        "链接": lambda: "https://item.jd.com/" + str(rng.randint(10**6, 10**8)) + ".html",
        "站点": lambda: rng.choice(("朝阳站", "江北站", "高新站", "城南营业部")),
        "组织机构": lambda: rng.choice(("京东", "顺丰", "中国移动", "工商银行")),
    }
    make = values.get(kind)
    return make() if make else str(rng.randint(10**9, 10**12))


_KNOWN = {"数字", "金额", "日期", "时间", "电话", "链接", "站点", "组织机构", "订单", "ORDERID",
          "身份证号", "邮箱", "USERID", "姓名", "地址"}


def fill_placeholders(template: str, rng: random.Random) -> tuple[str, list[list]]:
    """Fill every placeholder of a JDDC line; return the text and its name/address spans."""
    out, spans, cursor = "", [], 0
    for m in _PLACEHOLDER.finditer(template):
        out += template[cursor:m.start()]
        cursor = m.end()
        kind = m.group(1)
        if kind == "姓名":
            value, (a, b), start = _name_for(template, m, out, rng)
            spans.append(["person_name", start + a, start + b])
        elif kind == "地址":
            region = _REGION_BEFORE.search(out)
            value = sur.address(rng, with_region=0.0 if region else 0.5)
            spans.append(["address", region.start() if region else len(out), len(out) + len(value)])
        else:
            value = _filler(kind, rng) if kind in _KNOWN else m.group()
        out += value
    return out + template[cursor:], spans


def _name_for(template: str, m: re.Match, out: str, rng: random.Random):
    after = template[m.end():m.end() + 2]
    if _TITLE_AFTER.match(after):
        value = sur.full_name(rng) if rng.random() < 0.2 else sur.surname(rng)
        return value, (0, len(value)), len(out)
    if out.endswith("小"):  # 小[姓名x]: a nickname whose 小 the publisher left in place
        value = rng.choice(sur.NICK + sur.GIVEN)
        return value, (-1, 1), len(out)
    value, span = sur.any_name(rng)
    return value, span, len(out)


def _group_split(group: str, seed: int) -> str:
    digest = int(hashlib.md5(f"{seed}:{group}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    cumulative = 0.0
    for split, share in SPLITS.items():
        cumulative += share
        if digest <= cumulative:
            return split
    return "test"


def jddc_lines(data_dir: Path) -> Iterator[tuple[str, str]]:
    """(source, utterance) for every real JDDC utterance, 2019 chat then 2018 pairs."""
    for line in (data_dir / "jddc2019" / "chat_sample.tsv").read_text("utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) >= 7:
            yield "jddc2019", cols[6].strip()
    for name in ("train.enc", "train.dec"):
        for line in (data_dir / "jddc2018" / name).read_text("utf-8").splitlines():
            for utterance in line.split(","):
                yield "jddc2018", utterance.strip()


def unlabelled_train_text(data_dir: Path, seed: int = 0) -> Iterator[str]:
    """Every JDDC line without a name or address that falls in the training split, its
    placeholders blanked: what the gate learns ordinary words from."""
    for source, line in jddc_lines(data_dir):
        if line and "[姓名" not in line and "[地址" not in line \
                and _group_split(f"{source}-negative:{line}", seed) == "train":
            yield _PLACEHOLDER.sub(" ", line)


def crosswoz_lines(data_dir: Path) -> Iterator[tuple[str, str, list[list]]]:
    """(dialogue id, utterance, address spans) from CrossWOZ's dialogue acts."""
    with zipfile.ZipFile(data_dir / "crosswoz" / "val.json.zip") as archive:
        dialogues = json.loads(archive.read("val.json"))
    for dialogue_id, dialogue in dialogues.items():
        for message in dialogue["messages"]:
            text, spans = message["content"], []
            for _, _, slot, value in message["dialog_act"]:
                value = re.sub(r"[(（].*$", "", value)
                if slot == "地址" and value and (start := text.find(value)) >= 0:
                    spans.append(["address", start, start + len(value)])
            yield dialogue_id, text, spans


def review_lines(data_dir: Path) -> Iterator[str]:
    with (data_dir / "sentiment" / "online_shopping_10_cats.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["cat"] in ("衣服", "洗发水", "蒙牛"):
                yield row["review"].strip()


def template_lines(rng: random.Random, copies: int) -> Iterator[tuple[str, str, list[list]]]:
    """(template, text, spans): each written line filled `copies` times."""
    for template in TEMPLATES.read_text("utf-8").splitlines():
        if not template.strip() or template.startswith("#"):
            continue
        for _ in range(copies if _SLOT.search(template) else 1):
            yield template, *fill_template(template, rng)


def fill_template(template: str, rng: random.Random) -> tuple[str, list[list]]:
    out, spans, cursor = "", [], 0
    for m in _SLOT.finditer(template):
        out += template[cursor:m.start()]
        cursor = m.end()
        value, span, kind = _slot_value(m.group(1), rng)
        if span:
            spans.append([kind, len(out) + span[0], len(out) + span[1]])
        out += value
    return out + template[cursor:], spans


def _slot_value(slot: str, rng: random.Random) -> tuple[str, tuple[int, int] | None, str]:
    plain = {"store": sur.STORES, "brand": sur.BRANDS, "product": sur.PRODUCTS}
    if slot in plain:
        return rng.choice(plain[slot]), None, ""
    if slot in ("addr", "room"):
        value = sur.address(rng) if slot == "addr" else sur.address(rng, with_region=0.0)
        return value, (0, len(value)), "address"
    makers = {"full": sur.full_name, "nick": sur.nickname, "sur": sur.surname}
    if slot in makers:
        value = makers[slot](rng)
        return value, (0, len(value)), "person_name"
    if slot in ("name", "titled"):
        value, span = (sur.any_name if slot == "name" else sur.titled)(rng)
        return value, span, "person_name"
    raise ValueError(f"{TEMPLATES.name}: unknown slot {{{slot}}}")


def build(data_dir: Path, seed: int = 0, negatives: int = 5000) -> list[Labelled]:
    """Every labelled line, each with its source, group and split."""
    rng = random.Random(seed)
    rows: list[Labelled] = []

    def add(source: str, group: str, text: str, spans: list[list]) -> None:
        rows.append({"text": text, "spans": spans, "source": source, "group": group,
                     "split": _group_split(f"{source}:{group}", seed)})

    seen: set[str] = set()
    plain: list[tuple[str, str]] = []
    for source, line in jddc_lines(data_dir):
        template = re.sub(r"(\[[^\[\]]*?)[\da-z]*\]", r"\1]", line)
        if not line or len(line) > MAX_CHARS or template in seen:
            continue
        seen.add(template)
        if "[姓名" in line or "[地址" in line:
            if not _JDDC_NOISE.search(line) and not _WEDGED.search(line):
                for _ in range(2 if _group_split(f"{source}:{template}", seed) == "train" else 1):
                    add(source, template, *fill_placeholders(line, rng))
        elif "商品快照" not in line:
            plain.append((source, line))
    for source, line in rng.sample(plain, min(negatives, len(plain))):
        add(source + "-negative", line, fill_placeholders(line, rng)[0], [])
    cross = [(d, t, s) for d, t, s in crosswoz_lines(data_dir) if len(t) <= MAX_CHARS]
    with_address = [row for row in cross if row[2]]
    without = [row for row in cross if not row[2]]
    for dialogue_id, text, spans in with_address + rng.sample(without, min(800, len(without))):
        add("crosswoz", dialogue_id, text, spans)
    reviews = [r for r in review_lines(data_dir) if 4 <= len(r) <= MAX_CHARS]
    for text in rng.sample(reviews, min(1500, len(reviews))):
        add("reviews-negative", text, text, [])
    for template, text, spans in template_lines(rng, copies=4):
        add("written" if spans else "written-negative", template, text, spans)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "data" / "name_tagger")
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write(build(args.data_dir, args.seed), args.out)


def write(rows: list[Labelled], out: Path) -> dict[str, dict[str, int]]:
    """One JSONL file per split; returns line counts by split and source."""
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, dict[str, int]] = {}
    for split in SPLITS:
        chosen = [r for r in rows if r["split"] == split]
        with (out / f"{split}.jsonl").open("w", encoding="utf-8") as f:
            for row in chosen:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        for row in chosen:
            by_source = counts.setdefault(row["source"], {})
            by_source[split] = by_source.get(split, 0) + 1
    print(json.dumps({"lines_by_source": counts}, ensure_ascii=False))  # noqa: T201
    return counts


def read_split(directory: Path, split: str) -> list[Labelled]:
    lines = (directory / f"{split}.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


if __name__ == "__main__":
    main()
