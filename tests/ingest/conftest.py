"""Fixtures shared by the ingestion tests."""

from __future__ import annotations

import pytest

from salesbrain.ingest.name_tagger import NameTagger, default_tagger


@pytest.fixture(scope="module")
def shipped() -> NameTagger:
    """The name tagger the package ships (what ingestion uses)."""
    tagger = default_tagger()
    if tagger is None:
        pytest.skip("no name tagger shipped in salesbrain/resources/name_tagger")
    return tagger
