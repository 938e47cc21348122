"""FewCLUE EPRSTMT (`sentiment/eprstmt/`): e-commerce review sentiment.

JSON lines `{"sentence", "label": "Positive"|"Negative"}`: `train_few_all.json` (trained on),
`dev_few_all.json` (scored on; its texts are removed from every training set) and
`unlabeled.json` (self-training, less the dev texts). The public test is held out elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from salesbrain.datasets.reviews import Review

FOLDER = "sentiment/eprstmt"
FILES = {"train": "train_few_all.json", "dev": "dev_few_all.json", "unlabelled": "unlabeled.json"}


def json_lines(path: Path) -> Iterator[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def read_eprstmt(data_dir: Path, split: str) -> list[Review]:
    """The labelled `train` or `dev` reviews."""
    path = Path(data_dir) / FOLDER / FILES[split]
    if not path.is_file():
        raise FileNotFoundError(f"eprstmt {split} not found at {path}")
    return [Review("eprstmt", record["sentence"], record["label"]) for record in json_lines(path)]


def unlabelled_texts(data_dir: Path) -> list[str]:
    """The unlabelled reviews, less any text of a dev review."""
    path = Path(data_dir) / FOLDER / FILES["unlabelled"]
    evaluation = {r.sentence for r in read_eprstmt(data_dir, "dev")}
    texts = [json.loads(line)["sentence"] for line in
             path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [text for text in texts if text not in evaluation]
