"""Where the hand labels are found: the setting first, else the project's data/labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesbrain.paths import labels_dir


def test_labels_dir_follows_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESBRAIN_LABELS_DIR", str(tmp_path))
    assert labels_dir() == tmp_path


def test_missing_labels_dir_fails_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESBRAIN_LABELS_DIR", str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError, match="SALESBRAIN_LABELS_DIR"):
        labels_dir()
