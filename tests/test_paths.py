"""Where the hand labels are found: the setting first, else the project's data/annotations."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesbrain.paths import annotations_dir


def test_annotations_dir_follows_the_setting(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESBRAIN_ANNOTATIONS_DIR", str(tmp_path))
    assert annotations_dir() == tmp_path


def test_missing_annotations_dir_fails_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESBRAIN_ANNOTATIONS_DIR", str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError, match="SALESBRAIN_ANNOTATIONS_DIR"):
        annotations_dir()
