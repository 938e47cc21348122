"""The manager's report: files, columns, bands and the self-contained HTML."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from salesbrain.db import Database
from salesbrain.db import tables as t
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.reporting import LEADERBOARD_COLUMNS, SCORECARD_COLUMNS, write_report
from salesbrain.simulate import simulate_brand
from salesbrain.taxonomy import SCORECARD_COMPONENTS


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _ingested(tmp_path: Path) -> Database:
    simulate_brand(tmp_path / "sim", guides=8, customers=150, days=14, seed=2)
    store = Database.open(f"sqlite:///{tmp_path / 'store.db'}", tenant="acme")
    ingestor = Ingestor(store)
    ingestor.ingest_brand_tables(tmp_path / "sim")
    ingestor.ingest_messages(tmp_path / "sim" / "archive.jsonl")
    return store


def test_report_files_columns_and_html(tmp_path: Path) -> None:
    store = _ingested(tmp_path)
    page = write_report(store, tmp_path / "report")
    assert page == tmp_path / "report" / "report.html"
    leaderboard = _read(tmp_path / "report" / "leaderboard.csv")
    weekly = _read(tmp_path / "report" / "scorecards.csv")
    assert tuple(leaderboard[0]) == LEADERBOARD_COLUMNS
    assert tuple(weekly[0]) == SCORECARD_COLUMNS
    assert len(leaderboard) == 8
    assert [int(r["rank"]) for r in leaderboard] == list(range(1, 9))
    assert len({r["period"] for r in weekly}) >= 2
    for row in leaderboard:
        assert float(row["score_low"]) <= float(row["score"]) <= float(row["score_high"])
        assert int(row["reply_coverage_n"]) > 0
        assert "quality omitted" in row["notes"]
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") == 3
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org", "")
    for label in ("综合得分", "首次响应时长", "转化率"):
        assert label in text
    assert SCORECARD_COMPONENTS["quality"] not in text.split("<h2>排行榜</h2>")[1]


def test_report_reads_quality_and_sentiment_labels(tmp_path: Path) -> None:
    store = _ingested(tmp_path)
    conversations = list(store.conversations())
    cids = [c.conversation_id for c in conversations]
    guides = sorted({c.guide_id for c in conversations})
    # quality that differs between guides, so the scorecard finds it informative
    quality = {c.conversation_id: 30.0 + 8 * guides.index(c.guide_id) for c in conversations}
    now = int((datetime.now(UTC) - timedelta(days=1)).timestamp() * 1000)
    # The analysis writes outcome "" when the brain has no outcome stage.
    rows = [{"tenant": "acme", "conversation_id": cid, "outcome": "resolved" if i % 2 else "",
             "outcome_source": "model", "sentiment": 0.7, "quality": quality[cid] + i % 3,
             "compliance_hits": int(i % 7 == 0), "analyzed_ms": now, "brain_version": "test"}
            for i, cid in enumerate(cids)]
    with store.engine.begin() as conn:
        conn.execute(insert(t.conversation_labels), rows)
    write_report(store, tmp_path / "report")
    leaderboard = _read(tmp_path / "report" / "leaderboard.csv")
    assert all(row["quality"] and int(row["quality_n"]) > 0 for row in leaderboard)
    assert not any("quality omitted" in row["notes"] for row in leaderboard)
    assert sum(float(row["compliance_violations"]) for row in leaderboard) > 0
    weekly = _read(tmp_path / "report" / "scorecards.csv")
    assert all(float(row["sentiment"]) == 0.7 for row in weekly if row["sentiment"])


def test_report_on_an_empty_store_writes_headers_only(tmp_path: Path) -> None:
    store = Database.open(f"sqlite:///{tmp_path / 'empty.db'}", tenant="acme")
    page = write_report(store, tmp_path / "report")
    assert page.is_file()
    header = (tmp_path / "report" / "leaderboard.csv").read_text(encoding="utf-8").splitlines()
    assert header == [",".join(LEADERBOARD_COLUMNS)]
