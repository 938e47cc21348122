"""Review sets for sentiment: `sentiment/online_shopping_10_cats.csv` and `waimai_10k.csv`.

CSV with `label` (1 positive, 0 negative) and `review`; empty reviews are dropped. Which
reviews may be trained on is `trainable_reviews`: not in the held-out slice
(`splits.is_heldout_review`) and not the text of an eprstmt dev review.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from salesbrain.datasets.splits import is_heldout_review

LABELS = {"0": "Negative", "1": "Positive"}
REVIEW_FILES = ("online_shopping_10_cats.csv", "waimai_10k.csv")


@dataclass(frozen=True, slots=True)
class Review:
    source: str
    sentence: str
    label: str  # "Positive" | "Negative"


def read_review_set(path: Path) -> list[Review]:
    """One review CSV in file order, empty reviews and unknown labels dropped."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"review set not found at {path}")
    reviews, source = [], Path(path).name.split(".")[0]
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            sentence = (row["review"] or "").strip().lstrip("\ufeff")
            if sentence and row["label"] in LABELS:
                reviews.append(Review(source, sentence, LABELS[row["label"]]))
    return reviews


def read_review_sets(data_dir: Path) -> list[Review]:
    """Both review CSVs, in file order."""
    return [review for name in REVIEW_FILES
            for review in read_review_set(Path(data_dir) / "sentiment" / name)]


def trainable_reviews(data_dir: Path) -> list[Review]:
    """Reviews that may be trained on: not in the held-out slice, not an eprstmt dev text."""
    from salesbrain.datasets.eprstmt import read_eprstmt

    evaluation = {r.sentence for r in read_eprstmt(data_dir, "dev")}
    return [r for r in read_review_sets(data_dir)
            if not is_heldout_review(r.sentence) and r.sentence not in evaluation]


def heldout_reviews(data_dir: Path) -> list[Review]:
    """The held-out slice, one review per distinct text (the last one read), first-seen order."""
    heldout = {r.sentence: r for r in read_review_sets(data_dir) if is_heldout_review(r.sentence)}
    return list(heldout.values())
