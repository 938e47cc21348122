"""The member file: birthdays (month and day only) for the birthday recall group."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from salesbrain.db import Database
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.ingest.tables import MEMBERS

BAD_DATE = "1990-02-30"


def members_file(path: Path, *rows: str) -> Path:
    path.write_text("customer_id,birthday\n" + "".join(f"{row}\n" for row in rows),
                    encoding="utf-8")
    return path


def test_good_rows_import_and_bad_ones_are_reported_by_line_and_reason(
        tmp_path: Path, any_store: Database, caplog: pytest.LogCaptureFixture) -> None:
    path = members_file(tmp_path / "members.csv",
                        "c1,1990-03-07", "c2,03-15", f"c3,{BAD_DATE}", ",1988-01-01",
                        "c4,", "c5,7-4")
    with caplog.at_level(logging.DEBUG):
        summary = Ingestor(any_store).ingest_table(path, MEMBERS)
    assert summary.as_dict() == {
        "read": 6, "stored": 3, "duplicates": 1, "quarantined": 2, "redacted": 0, "events": 0}
    assert any_store.birthdays() == {"c1": (3, 7), "c2": (3, 15), "c5": (7, 4)}
    quarantined = {(row["line"], row["reason"]) for row in any_store.quarantined()}
    assert quarantined == {(4, "birthday is not a date as YYYY-MM-DD or MM-DD"),
                           (5, "missing field 'customer_id'")}
    # A birthday is personal data: neither the quarantine nor the logs repeat one.
    kept = " ".join(f"{row['reason']} {row['raw']}" for row in any_store.quarantined())
    for birthday in (BAD_DATE, "1990-03-07", "1988-01-01", "03-07"):
        assert birthday not in kept and birthday not in caplog.text


def test_reimport_replaces_birthdays_and_keeps_consent(tmp_path: Path,
                                                       any_store: Database) -> None:
    ingestor = Ingestor(any_store)
    any_store.set_consent("c1", False, 1)
    ingestor.ingest_table(members_file(tmp_path / "a.csv", "c1,1990-03-07", "c2,03-15"), MEMBERS)
    changed = members_file(tmp_path / "b.csv", "c1,1990-04-01", "c2,", "c3,12-31")
    assert ingestor.ingest_table(changed, MEMBERS).stored == 3
    assert any_store.birthdays() == {"c1": (4, 1), "c3": (12, 31)}
    assert any_store.birthdays(["c1", "c2", "nobody"]) == {"c1": (4, 1)}
    again = ingestor.ingest_table(changed, MEMBERS)
    assert (again.stored, again.duplicates) == (0, 3)
    assert any_store.refused_consent() == {"c1"}
    assert any_store.for_tenant(any_store.tenant + "_other").birthdays() == {}


def test_a_brand_directory_loads_its_member_file_when_it_has_one(tmp_path: Path,
                                                                 any_store: Database) -> None:
    for name, header in (("guides.csv", "guide_id"), ("orders.csv", "order_id,customer_id,ts,"
                         "amount"), ("tasks.csv", "task_id,guide_id,customer_id,kind,"
                         "assigned_ts,due_ts")):
        (tmp_path / name).write_text(header + "\n", encoding="utf-8")
    assert "members.csv" not in Ingestor(any_store).ingest_brand_tables(tmp_path)
    members_file(tmp_path / "members.csv", "c1,2001-11-02")
    assert Ingestor(any_store).ingest_brand_tables(tmp_path)["members.csv"].stored == 1
    assert any_store.birthdays() == {"c1": (11, 2)}
