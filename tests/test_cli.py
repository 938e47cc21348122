"""The `salesbrain` command line as a person and a script see it (contract: the CLI spec)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from salesbrain.brain import write_manifest
from salesbrain.cli import app
from salesbrain.db import Database
from salesbrain.jobs.train_compliance import run as train_compliance

INGEST_KEYS = {"read", "stored", "duplicates", "quarantined", "redacted"}


def salesbrain(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def command_paths() -> list[list[str]]:
    """Every command and command group, as the words that reach it."""
    def walk(command: typer.main.TyperGroup | object, path: list[str]) -> list[list[str]]:
        found = [path]
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            found += walk(sub, [*path, name])
        return found

    return walk(typer.main.get_command(app), [])


def error_line(result: Result) -> str:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def brand(tmp_path: Path) -> Path:
    out = tmp_path / "brand"
    result = salesbrain("simulate", "--out", out, "--guides", "2", "--customers", "12",
                        "--days", "2")
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("words", command_paths(), ids=lambda words: " ".join(words) or "root")
def test_every_command_has_help(words: list[str]) -> None:
    result = salesbrain(*words, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout and " ".join(words) in result.stdout


def test_ingest_of_a_missing_file_names_it(tmp_path: Path, db: str) -> None:
    missing = tmp_path / "nowhere.jsonl"
    assert str(missing) in error_line(salesbrain("ingest", missing, "--db", db))


def test_promote_of_an_unknown_version_names_it() -> None:
    assert "v404" in error_line(salesbrain("models", "promote", "v404"))


def test_a_bad_setting_names_the_option(tmp_path: Path, db: str) -> None:
    assert "--precision" in error_line(salesbrain("analyze", "--precision", "fp16", "--db", db))
    assert "huge" in error_line(salesbrain("train", "--preset", "huge", "--out", tmp_path / "b"))
    assert "nobrain" in error_line(salesbrain("analyze", "--brain", tmp_path / "nobrain",
                                              "--db", db))


def test_simulate_then_ingest_prints_the_contract_summary_last(brand: Path, db: str) -> None:
    files = ["--guides", brand / "guides.csv", "--orders", brand / "orders.csv",
             "--tasks", brand / "tasks.csv", "--members", brand / "members.csv"]
    first = salesbrain("ingest", brand / "archive.jsonl", *files, "--db", db)
    assert first.exit_code == 0, first.output
    assert Database.open(db).birthdays()
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert set(summary) >= INGEST_KEYS and summary["stored"] > 0
    assert f"ingested {summary['read']} records" in first.stderr
    again = json.loads(salesbrain("ingest", brand / "archive.jsonl", "--db", db)
                       .stdout.strip().splitlines()[-1])
    assert again["stored"] == 0 and again["duplicates"] > 0


def test_simulate_speaks_to_people_unless_asked_for_json(tmp_path: Path, brand: Path) -> None:
    human = salesbrain("simulate", "--out", brand, "--guides", "2", "--customers", "12",
                       "--days", "2")
    assert human.stdout.startswith("simulated a brand of 2 guides and 12 customers")
    assert f"salesbrain ingest {brand}/archive.jsonl" in human.stdout
    for words in (["--json", "simulate"], ["simulate", "--json"]):
        result = salesbrain(*words, "--out", brand, "--guides", "2", "--customers", "12",
                            "--days", "2")
        summary = json.loads(result.stdout)
        assert summary["out_dir"] == str(brand) and summary["messages"] > 0
        assert f"{summary['messages']} messages" in human.stdout


def test_json_logs_are_json_lines_and_human_logs_are_short(brand: Path, db: str) -> None:
    # no roster loaded: the ingestion warns that wm/wo ids are taken as customers
    human = salesbrain("ingest", brand / "archive.jsonl", "--db", db)
    assert "warning: no guide roster loaded" in human.stderr
    machine = salesbrain("--json", "ingest", brand / "archive.jsonl", "--db", f"{db}2")
    records = [json.loads(line) for line in machine.stderr.splitlines() if line.strip()]
    assert {"level": "warning", "logger": "salesbrain.ingest.pipeline"}.items() <= \
        records[0].items()
    assert "no guide roster" in records[0]["message"]
    assert set(json.loads(machine.stdout.strip().splitlines()[-1])) >= INGEST_KEYS


def test_keys_create_prints_the_secret_alone_or_as_json(db: str) -> None:
    human = salesbrain("keys", "create", "--role", "admin", "--db", db)
    assert human.exit_code == 0 and len(human.stdout.split()) == 1
    assert "shown once" in human.stderr
    created = json.loads(salesbrain("keys", "create", "--role", "admin", "--json", "--db", db)
                         .stdout)
    assert created["role"] == "admin" and created["key"] != human.stdout.strip()
    assert "'boss'" in error_line(salesbrain("keys", "create", "--role", "boss", "--db", db))


def test_models_list_says_what_to_do_when_empty() -> None:
    assert "salesbrain train" in salesbrain("models", "list").stdout
    assert json.loads(salesbrain("models", "list", "--json").stdout) == {
        "live": None, "versions": []}


def test_analyze_summarises_for_people_and_reports_json(
    brand: Path, db: str, tmp_path: Path
) -> None:
    brain = tmp_path / "brain"
    train_compliance("small", brain, brain)
    write_manifest(brain, "rules1", ["compliance"], {})
    assert salesbrain("ingest", brand / "archive.jsonl", "--db", db).exit_code == 0
    human = salesbrain("analyze", "--brain", brain, "--db", db)
    assert human.exit_code == 0, human.output
    assert human.stdout.startswith("analysed ") and "with brain rules1" in human.stdout
    report = json.loads(salesbrain("analyze", "--brain", brain, "--db", db, "--json").stdout)
    assert report["brain"] == "rules1" and report["conversations"] == 0  # nothing changed since
    assert "nothing changed" in salesbrain("analyze", "--brain", brain, "--db", db).stdout


def test_train_shows_the_jobs_progress_on_stderr_and_a_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salesbrain.jobs import train as train_job

    def fake_training(**options: object) -> Path:
        print("intent: epoch 1  loss 0.5")  # a training job's progress line
        brain = Path(str(options["out_dir"]))
        train_compliance("small", brain, brain)
        write_manifest(brain, "v9", ["compliance"], {"train_seconds": {"compliance": 0.4}})
        return brain

    monkeypatch.setattr(train_job, "train_brain", fake_training)
    human = salesbrain("train", "--out", tmp_path / "a")
    assert human.exit_code == 0, human.output
    assert "intent: epoch 1" in human.stderr and "intent: epoch 1" not in human.stdout
    assert human.stdout.startswith(f"brain v9 in {tmp_path / 'a'} (not live")
    result = json.loads(salesbrain("train", "--out", tmp_path / "b", "--json").stdout)
    assert result["version"] == "v9" and result["stages"] == ["compliance"]
    assert result["brain_dir"] == str(tmp_path / "b") and result["live"] is False


def test_scripts_import_reports_bad_lines_and_export_reads_back(tmp_path: Path, db: str) -> None:
    source = tmp_path / "scripts.csv"
    source.write_text("intent,text,tags\nsize_fit,{尺码}码有货的亲,尺码\nnope,您好,\n"
                      "membership,会员生日当月积分双倍,会员|生日\n", encoding="utf-8")
    result = salesbrain("--json", "scripts", "import", source, "--db", db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "imported": 2, "duplicates": 0,
        "errors": [{"line": 3, "reason": json.loads(result.stdout)["errors"][0]["reason"]}]}
    assert "unknown intent 'nope'" in json.loads(result.stdout)["errors"][0]["reason"]
    human = salesbrain("scripts", "import", source, "--db", db)
    assert f"{source}:3: unknown intent" in human.stdout and "0 scripts imported" in human.stdout
    exported = tmp_path / "out.csv"
    assert salesbrain("scripts", "export", exported, "--db", db).exit_code == 0
    assert exported.read_text(encoding="utf-8").splitlines() == [
        "intent,text,tags", "membership,会员生日当月积分双倍,会员|生日",
        "size_fit,{尺码}码有货的亲,尺码"]
    missing = salesbrain("scripts", "import", tmp_path / "absent.csv", "--db", db)
    assert "absent.csv" in error_line(missing)
