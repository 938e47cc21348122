"""SIGKILL the server mid-batch, restart, re-send: nothing lost, nothing doubled."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eval.kill_ingest import run_kill_test


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_killed_ingest_resent_equals_a_clean_ingest(backend: str, tmp_path: Path) -> None:
    db_url = None
    if backend == "postgres":
        db_url = os.environ.get("SALESBRAIN_TEST_PG_URL")
        if not db_url:
            pytest.skip("no PostgreSQL: set SALESBRAIN_TEST_PG_URL to run the Postgres variant")
    result = run_kill_test(tmp_path, db_url, chunk_records=50, bad_every=97, guides=4,
                           customers=80, days=6)
    assert "error" in result["first_request"], "the server finished the batch before the kill"
    assert 0 < result["stored_before_kill"] < result["reference_messages"]
    assert result["resend"]["duplicates"] == result["stored_before_kill"]
    assert (result["lost"], result["extra"], result["differing"]) == (0, 0, 0)
    assert result["miscounted_conversations"] == 0 and result["ok"]
    quarantined = result["quarantined"]
    assert quarantined == result["reference_quarantined"] == result["resend"]["errors"] > 0
