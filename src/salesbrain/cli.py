"""The `salesbrain` command line (contract: the CLI spec). Thin: every command delegates.

This module is the composition root: the one library module allowed to import the `service`
package (shipped in the same distribution), and it imports it, `salesbrain.jobs` and
`salesbrain.evaluation` only inside the command that needs them, so `--help` stays fast.

It speaks to people by default: progress bars and short lines on stderr, a short summary as
the result. `--json` (before the command, or after it) makes the result one JSON object on
stdout and every log record a JSON line on stderr; `-v` adds progress (INFO) records. What the
contract fixes stays as it is in both modes: `ingest` prints its JSON summary line last on
stdout, and `eval ... --json` prints one JSON object.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from salesbrain import console
from salesbrain.console import fail, one_line_errors, say, speak, voice
from salesbrain.paths import shared_data_dir

app = typer.Typer(
    help="salesbrain: learn from sales champions, lift every guide.", no_args_is_help=True
)
quarantine_app = typer.Typer(help="Records that could not be ingested.", no_args_is_help=True)
models_app = typer.Typer(help="Trained brains: list, promote, roll back.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate a brain on held-out data.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys per tenant and role.", no_args_is_help=True)
scripts_app = typer.Typer(help="The script library (话术库): mine, import, export.",
                          no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(models_app, name="models")
app.add_typer(eval_app, name="eval")
app.add_typer(keys_app, name="keys")
app.add_typer(scripts_app, name="scripts")

DbOption = Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL (env SALESBRAIN_DB).")]
TenantOption = Annotated[str, typer.Option("--tenant", help="Tenant name.")]
BrainOption = Annotated[Path, typer.Option("--brain", help="Brain directory.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
JsonLogsFlag = Annotated[bool, typer.Option(
    "--json", help="Log JSON lines on stderr (stdout keeps the JSON summary line).")]


def _open_store(db: str | None, tenant: str) -> Any:
    from salesbrain.db import Database

    return Database.open(db, tenant)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Also show progress log lines (INFO).")] = False,
    json_: Annotated[bool, typer.Option(
        "--json", help="Results as JSON on stdout, logs as JSON lines on stderr.")] = False,
) -> None:
    speak(json_lines=json_, verbose=verbose)


@app.command()
def simulate(
    out: Annotated[Path, typer.Option("--out", help="Output directory.")],
    guides: int = 40,
    customers: int = 2000,
    days: int = 30,
    seed: int = 0,
    json_: JsonFlag = False,
) -> None:
    """Write a realistic simulated brand (archive, roster, orders, tasks, truth)."""
    from salesbrain.simulate import simulate_brand

    speaker = voice(json_)
    with one_line_errors():
        summary = _as_dict(simulate_brand(out, guides=guides, customers=customers, days=days,
                                          seed=seed, progress=not speaker.json))
    say(speaker, summary, console.simulation_lines(summary, guides, customers, days))


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Message files.")],
    fmt: Annotated[str, typer.Option("--format", help="auto|wecom|jsonl|csv|jddc|stc3")] = "auto",
    guides: Annotated[Path | None, typer.Option("--guides", help="Guide roster CSV.")] = None,
    orders: Annotated[Path | None, typer.Option("--orders", help="Orders CSV.")] = None,
    tasks: Annotated[Path | None, typer.Option("--tasks", help="Outreach tasks CSV.")] = None,
    members: Annotated[Path | None, typer.Option(
        "--members", help="Member file CSV (customer_id,birthday): birthdays for recall.")] = None,
    gap_hours: Annotated[float, typer.Option(help="Inactivity gap that splits sessions.")] = 6.0,
    db: DbOption = None,
    tenant: TenantOption = "demo",
    json_: JsonLogsFlag = False,
) -> None:
    """Load conversations idempotently; prints a JSON summary line last."""
    from salesbrain.ingest.pipeline import Ingestor, IngestSummary, ingest_all
    from salesbrain.ingest.tables import GUIDES, MEMBERS, ORDERS, TASKS

    speaker = voice(json_)
    total = IngestSummary()
    with one_line_errors():
        for path in (guides, orders, tasks, members, *paths):
            if path is not None and not path.is_file():
                fail(f"{path}: no such file")
        ingestor = Ingestor(_open_store(db, tenant), gap_s=int(gap_hours * 3600),
                            progress=not speaker.json)
        for path, spec in ((guides, GUIDES), (orders, ORDERS), (tasks, TASKS),
                           (members, MEMBERS)):
            if path is not None:
                total.add(ingestor.ingest_table(path, spec))
        total.add(ingest_all(ingestor, paths, fmt))  # a RecordError here is a ValueError
    if not speaker.json:
        for line in console.ingestion_lines(total.as_dict()):
            typer.echo(line, err=True)
    typer.echo(json.dumps(total.as_dict()))


@app.command()
def redact(
    rescan: Annotated[bool, typer.Option("--rescan", help="Re-redact every stored text.")] = False,
    db: DbOption = None,
    tenant: TenantOption = "demo",
) -> None:
    """Run today's redactor over the stored messages and what derives from them."""
    from salesbrain.ingest.rescan import rescan_store

    if not rescan:
        fail("nothing to do: pass --rescan to re-redact what is stored")
    summary = rescan_store(_open_store(db, tenant))
    if not summary.changed_anything:
        typer.echo("nothing changed: every stored text is already redacted", err=True)
    typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False))


@quarantine_app.command("list")
def quarantine_list(
    limit: int = 100, db: DbOption = None, tenant: TenantOption = "demo", json_: JsonFlag = False
) -> None:
    """Quarantined records with file, line and reason."""
    speaker = voice(json_)
    with one_line_errors():
        rows = [dict(row) for row in _open_store(db, tenant).quarantined(limit)]
    lines = [f"{row['source_file']}:{row['line']}\t{row['reason']}" for row in rows]
    say(speaker, {"quarantined": rows}, lines or ["nothing in quarantine"])


@app.command()
def train(
    preset: Annotated[str, typer.Option(help="small|benchmark|full")] = "small",
    data_dir: Annotated[Path, typer.Option("--data-dir")] = shared_data_dir(),
    out: Annotated[Path | None, typer.Option("--out", help="Brain dir.")] = None,
    device: Annotated[str, typer.Option(help="cpu|cuda")] = "cpu",
    engine: Annotated[str, typer.Option(
        "--engine", help="process (one stage after another) or ray (every stage at once as a "
        "Ray task; the `ray` extra).")] = "process",
    address: Annotated[str | None, typer.Option(
        "--address", help="With --engine ray: a running cluster (auto: this node's).")] = None,
    db: DbOption = None,
    tenant: TenantOption = "demo",
    json_: JsonFlag = False,
) -> None:
    """Train every stage and write a brain directory."""
    from salesbrain.jobs.train import train_brain

    speaker = voice(json_)
    _check_engine(engine, address)
    if not speaker.json:  # a person sees each stage start, as a short line
        logging.getLogger("salesbrain.training").setLevel(logging.INFO)
    # The training jobs print their progress: it goes to stderr (a log record under --json),
    # so stdout carries only the result.
    chatter = console.LogLines(logging.getLogger("salesbrain.training")) if speaker.json \
        else sys.stderr
    with one_line_errors(), contextlib.redirect_stdout(chatter):
        brain_dir = train_brain(
            preset=preset, data_dir=data_dir, out_dir=out, device=device, db=db, tenant=tenant,
            engine=engine, address=address)
    result = _trained_brain(Path(brain_dir))
    say(speaker, result, console.training_lines(result))


@app.command()
def analyze(
    db: DbOption = None,
    tenant: TenantOption = "demo",
    brain: BrainOption | None = None,
    precision: Annotated[str, typer.Option(
        "--precision", help="Arithmetic of the intent and quality encoders: auto (bf16 where "
        "the CPU has bf16 instructions, else fp32), fp32, bf16, int8 (torch), onnx or onnx-int8 "
        "(ONNX Runtime; the `onnx` extra).")] = "auto",
    engine: Annotated[str, typer.Option(
        "--engine", help="process (this process) or ray (Ray actors; the `ray` extra).")
    ] = "process",
    address: Annotated[str | None, typer.Option(
        "--address", help="With --engine ray: a running cluster (auto: this node's); "
        "else a local one is started for the run.")] = None,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, help="With --engine ray: actors, each loading the brain once.")] = 2,
    json_: JsonFlag = False,
) -> None:
    """Label every changed conversation in the store with the live brain."""
    from salesbrain.brain import BrainLoadError
    from salesbrain.encoder import PRECISIONS
    from salesbrain.registry import resolve_brain_dir

    speaker = voice(json_)
    if precision not in PRECISIONS:
        fail(f"--precision {precision}: choose one of {', '.join(PRECISIONS)}")
    _check_engine(engine, address)
    with one_line_errors(BrainLoadError):
        brain_dir = resolve_brain_dir(brain)
        store = _open_store(db, tenant)
        if engine == "ray":
            report = _analyze_on_ray(store, brain_dir, address, workers, precision,
                                     not speaker.json)
        else:
            from salesbrain.analysis import analyze_store

            report = analyze_store(store, brain_dir, progress=not speaker.json,
                                   precision=precision)
    say(speaker, report, console.analysis_lines(report))


def _check_engine(engine: str, address: str | None) -> None:
    if engine not in ("process", "ray"):
        fail(f"--engine {engine}: choose process or ray")
    if engine == "process" and address is not None:
        fail("--address needs --engine ray")
    if engine == "ray":
        try:
            import ray  # noqa: F401
        except ImportError:
            fail("--engine ray needs Ray: pip install 'salesbrain[ray]'")


def _analyze_on_ray(store: Any, brain_dir: Path, address: str | None, workers: int,
                    precision: str, progress: bool) -> dict[str, Any]:
    from salesbrain.ray_analysis import analyze_store_on_ray

    return analyze_store_on_ray(store, brain_dir, address=address, workers=workers,
                                precision=precision, progress=progress)


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out")] = Path("var/report"),
    db: DbOption = None,
    tenant: TenantOption = "demo",
    json_: JsonFlag = False,
) -> None:
    """Write the leaderboard and per-guide scorecards (CSV) and an HTML report."""
    from salesbrain.reporting import write_report

    speaker = voice(json_)
    with one_line_errors():
        page = write_report(_open_store(db, tenant), out)
    files = {"report": str(page), "leaderboard": str(page.parent / "leaderboard.csv"),
             "scorecards": str(page.parent / "scorecards.csv")}
    say(speaker, files, [str(page), f"  beside it: {files['leaderboard']}, {files['scorecards']}"])


@models_app.command("list")
def models_list(json_: JsonFlag = False) -> None:
    """Every brain version; the live one is starred."""
    from salesbrain.registry import BrainRegistry

    registry = BrainRegistry()
    result = {"live": registry.live_version(), "versions": registry.versions()}
    say(voice(json_), result,
        registry.describe() or [f"no brains under {registry.brains}: run `salesbrain train`"])


@models_app.command("promote")
def models_promote(version: str, json_: JsonFlag = False) -> None:
    """Make VERSION the live brain, unless it measured worse than the live one."""
    from salesbrain.registry import BrainRegistry, PromotionRefused

    speaker = voice(json_)
    with one_line_errors(PromotionRefused):
        BrainRegistry().promote(version)
    say(speaker, {"live": version}, [f"live: {version}"])


@models_app.command("rollback")
def models_rollback(json_: JsonFlag = False) -> None:
    """Make the previous live brain live again."""
    from salesbrain.registry import BrainRegistry

    speaker = voice(json_)
    with one_line_errors():
        version = BrainRegistry().rollback()
    say(speaker, {"live": version}, [f"live: {version}"])


def _print_metrics(metrics: dict[str, Any], as_json: bool) -> None:
    say(voice(as_json), metrics, console.metric_lines(metrics))


@eval_app.command("intent")
def eval_intent(
    brain: BrainOption, data: Annotated[Path, typer.Option("--data")], json_: JsonFlag = False
) -> None:
    from salesbrain.evaluation.intent import evaluate_intent

    _print_metrics(evaluate_intent(brain, data), json_)


@eval_app.command("sentiment")
def eval_sentiment(
    brain: BrainOption, data: Annotated[Path, typer.Option("--data")], json_: JsonFlag = False
) -> None:
    from salesbrain.evaluation.sentiment import evaluate_sentiment

    _print_metrics(evaluate_sentiment(brain, data), json_)


@eval_app.command("response-selection")
def eval_response_selection(
    brain: BrainOption, data: Annotated[Path, typer.Option("--data")], json_: JsonFlag = False
) -> None:
    from salesbrain.evaluation.response_selection import evaluate_response_selection

    _print_metrics(evaluate_response_selection(brain, data), json_)


@eval_app.command("generation")
def eval_generation(
    brain: BrainOption,
    jddc_dev: Annotated[Path, typer.Option("--jddc-dev")],
    json_: JsonFlag = False,
) -> None:
    from salesbrain.evaluation.generation import evaluate_generation

    _print_metrics(evaluate_generation(brain, jddc_dev), json_)


@eval_app.command("quality")
def eval_quality(
    brain: BrainOption, stc3: Annotated[Path, typer.Option("--stc3")], json_: JsonFlag = False
) -> None:
    from salesbrain.evaluation.quality import evaluate_quality

    _print_metrics(evaluate_quality(brain, stc3), json_)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="guide|manager|admin")],
    guide_id: Annotated[str | None, typer.Option("--guide-id")] = None,
    store_ids: Annotated[str, typer.Option("--stores", help="Comma-separated store ids.")] = "",
    label: str = "",
    db: DbOption = None,
    tenant: TenantOption = "demo",
    json_: JsonFlag = False,
) -> None:
    """Create an API key; the secret is printed once and stored only as a hash."""
    from salesbrain.security import create_api_key

    speaker = voice(json_)
    stores = [s for s in store_ids.split(",") if s]
    with one_line_errors():
        secret = create_api_key(
            _open_store(db, tenant), role, guide_id=guide_id, store_ids=stores, label=label
        )
    if speaker.json:
        say(speaker, {"key": secret, "tenant": tenant, "role": role, "guide_id": guide_id,
                      "stores": stores}, [])
        return
    scope = f"guide {guide_id}" if guide_id else f"stores {', '.join(stores)}" if stores else ""
    typer.echo(f"{role} key for tenant {tenant}{f' ({scope})' if scope else ''}; "
               "shown once, stored only as a hash:", err=True)
    typer.echo(secret)  # alone on stdout, so KEY=$(salesbrain keys create ...) works


@scripts_app.command("mine")
def scripts_mine(
    min_conversations: Annotated[int, typer.Option(
        help="Conversations a guide needs to count as a champion.")] = 20,
    db: DbOption = None, tenant: TenantOption = "demo", json_: JsonFlag = False,
) -> None:
    """Add the champions' most-used replies per intent to the library (slots generalised)."""
    from salesbrain.jobs.scripts import mine_library

    with one_line_errors():
        summary = mine_library(_open_store(db, tenant), min_conversations=min_conversations)
    say(voice(json_), summary, [
        f"{summary['added']} scripts added ({summary['mined']} mined from "
        f"{summary['replies']} champion replies; intents: {', '.join(summary['intents'])})"])


@scripts_app.command("import")
def scripts_import(
    file: Annotated[Path, typer.Argument(help="CSV with the header intent,text,tags.")],
    db: DbOption = None, tenant: TenantOption = "demo", json_: JsonFlag = False,
) -> None:
    """Import scripts; a bad row is reported with its line and reason, good rows still import."""
    from salesbrain.jobs.scripts import import_csv

    with one_line_errors(OSError, UnicodeDecodeError):
        text = file.read_text(encoding="utf-8")
        imported, duplicates, errors = import_csv(_open_store(db, tenant), text)
    rows = [{"line": e.line, "reason": e.reason} for e in errors]
    say(voice(json_), {"imported": imported, "duplicates": duplicates, "errors": rows},
        [f"{file}:{e.line}: {e.reason}" for e in errors]
        + [f"{imported} scripts imported, {duplicates} already held, {len(errors)} rows refused"])


@scripts_app.command("export")
def scripts_export(
    file: Annotated[Path, typer.Argument(help="CSV to write (intent,text,tags).")],
    intent: Annotated[str | None, typer.Option(help="Only this intent.")] = None,
    db: DbOption = None, tenant: TenantOption = "demo", json_: JsonFlag = False,
) -> None:
    """Write the active scripts as CSV, ready to edit and import again."""
    from salesbrain.jobs.scripts import export_csv

    with one_line_errors(OSError):
        text = export_csv(_open_store(db, tenant), intent)
        file.write_text(text, encoding="utf-8")
    count = text.count("\n") - 1
    say(voice(json_), {"exported": count, "file": str(file)}, [f"{count} scripts -> {file}"])


@app.command()
def serve(
    brain: BrainOption | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    db: DbOption = None,
) -> None:
    """Serve the HTTP API and the pages."""
    from service.main import run

    run(brain=brain, host=host, port=port, db=db)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out")] = Path("var/demo"),
    port: int = 8000,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """Simulate a brand, ingest it, train a small brain, serve it and print where to look."""
    from salesbrain.jobs.demo import run_demo
    from service.main import run

    run_demo(out_dir=out, port=port, serve=run if serve_api else None)


def _trained_brain(brain_dir: Path) -> dict[str, Any]:
    from salesbrain.artifacts import read_json
    from salesbrain.registry import BrainRegistry

    manifest = read_json(brain_dir / "brain.json")
    results = brain_dir / "eval_results.json"
    return {"brain_dir": str(brain_dir), "version": manifest["version"],
            "stages": manifest["stages"], "train_seconds": manifest.get("train_seconds", {}),
            "live": BrainRegistry().live_version() == manifest["version"],
            "eval": read_json(results) if results.is_file() else {}}


def _as_dict(value: Any) -> Any:
    from dataclasses import asdict, is_dataclass

    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value
