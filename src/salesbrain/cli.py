"""The `salesbrain` command line (contract: the CLI spec). Thin: every command delegates.

This module is the composition root: it is the one place allowed to reach the offline
`training`, `eval` and `service` packages, and it imports them only inside the command that
needs them, so the library itself never depends on them.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from salesbrain.paths import shared_data_dir

app = typer.Typer(
    help="salesbrain: learn from sales champions, lift every guide.", no_args_is_help=True
)
quarantine_app = typer.Typer(help="Records that could not be ingested.", no_args_is_help=True)
models_app = typer.Typer(help="Trained brains: list, promote, roll back.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate a brain on held-out data.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys per tenant and role.", no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(models_app, name="models")
app.add_typer(eval_app, name="eval")
app.add_typer(keys_app, name="keys")

DbOption = Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL (env SALESBRAIN_DB).")]
TenantOption = Annotated[str, typer.Option("--tenant", help="Tenant name.")]
BrainOption = Annotated[Path, typer.Option("--brain", help="Brain directory.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def fail(message: str) -> None:
    """Exit non-zero with a one-line reason."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def _lazy(module: str) -> Any:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    return importlib.import_module(module)


def _open_store(db: str | None, tenant: str) -> Any:
    from salesbrain.store import Store

    return Store.open(db, tenant)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format='{"level": "%(levelname)s", "logger": "%(name)s", "message": "%(message)s"}',
    )


@app.command()
def simulate(
    out: Annotated[Path, typer.Option("--out", help="Output directory.")],
    guides: int = 40,
    customers: int = 2000,
    days: int = 30,
    seed: int = 0,
) -> None:
    """Write a realistic simulated brand (archive, roster, orders, tasks, truth)."""
    from salesbrain.simulate import simulate_brand

    summary = simulate_brand(out, guides=guides, customers=customers, days=days, seed=seed)
    typer.echo(json.dumps(_as_dict(summary), ensure_ascii=False))


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Message files.")],
    fmt: Annotated[str, typer.Option("--format", help="auto|wecom|jsonl|csv|jddc|stc3")] = "auto",
    guides: Annotated[Path | None, typer.Option("--guides", help="Guide roster CSV.")] = None,
    orders: Annotated[Path | None, typer.Option("--orders", help="Orders CSV.")] = None,
    tasks: Annotated[Path | None, typer.Option("--tasks", help="Outreach tasks CSV.")] = None,
    gap_hours: Annotated[float, typer.Option(help="Inactivity gap that splits sessions.")] = 6.0,
    db: DbOption = None,
    tenant: TenantOption = "demo",
) -> None:
    """Load conversations idempotently; prints a JSON summary line last."""
    from salesbrain.ingest.pipeline import Ingestor, IngestSummary, ingest_all
    from salesbrain.ingest.records import RecordError
    from salesbrain.ingest.tables import GUIDES, ORDERS, TASKS

    ingestor = Ingestor(_open_store(db, tenant), gap_s=int(gap_hours * 3600), progress=True)
    total = IngestSummary()
    try:
        for path, spec in ((guides, GUIDES), (orders, ORDERS), (tasks, TASKS)):
            if path is not None:
                total.add(ingestor.ingest_table(path, spec))
        total.add(ingest_all(ingestor, paths, fmt))
    except (RecordError, OSError) as error:
        fail(str(error))
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
def quarantine_list(limit: int = 100, db: DbOption = None, tenant: TenantOption = "demo") -> None:
    """Quarantined records with file, line and reason."""
    for row in _open_store(db, tenant).quarantined(limit):
        typer.echo(f"{row['source_file']}:{row['line']}\t{row['reason']}")


@app.command()
def train(
    preset: Annotated[str, typer.Option(help="small|benchmark|full")] = "small",
    data_dir: Annotated[Path, typer.Option("--data-dir")] = shared_data_dir(),
    out: Annotated[Path | None, typer.Option("--out", help="Brain dir.")] = None,
    device: Annotated[str, typer.Option(help="cpu|cuda")] = "cpu",
    db: DbOption = None,
    tenant: TenantOption = "demo",
) -> None:
    """Train every stage and write a brain directory."""
    brain_dir = _lazy("training.train").train_brain(
        preset=preset, data_dir=data_dir, out_dir=out, device=device, db=db, tenant=tenant
    )
    typer.echo(str(brain_dir))


@app.command()
def analyze(
    db: DbOption = None,
    tenant: TenantOption = "demo",
    brain: BrainOption | None = None,
    precision: Annotated[str, typer.Option(
        "--precision", help="Arithmetic of the intent and quality encoders: auto (bf16 where "
        "the CPU has bf16 instructions, else fp32), fp32, bf16 or int8.")] = "auto",
) -> None:
    """Label every changed conversation in the store with the live brain."""
    from salesbrain.analysis import analyze_store
    from salesbrain.encoder import PRECISIONS
    from salesbrain.registry import resolve_brain_dir

    if precision not in PRECISIONS:
        raise typer.BadParameter(f"choose one of {', '.join(PRECISIONS)}", param_hint="--precision")
    report = analyze_store(_open_store(db, tenant), resolve_brain_dir(brain), progress=True,
                           precision=precision)
    typer.echo(json.dumps(report))


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out")] = Path("var/report"),
    db: DbOption = None,
    tenant: TenantOption = "demo",
) -> None:
    """Write the leaderboard and per-guide scorecards (CSV) and an HTML report."""
    from salesbrain.reporting import write_report

    typer.echo(str(write_report(_open_store(db, tenant), out)))


@models_app.command("list")
def models_list() -> None:
    from salesbrain.registry import BrainRegistry

    for line in BrainRegistry().describe():
        typer.echo(line)


@models_app.command("promote")
def models_promote(version: str) -> None:
    from salesbrain.registry import BrainRegistry, PromotionRefused

    try:
        BrainRegistry().promote(version)
    except (PromotionRefused, FileNotFoundError) as error:
        fail(str(error))
    typer.echo(f"live: {version}")


@models_app.command("rollback")
def models_rollback() -> None:
    from salesbrain.registry import BrainRegistry

    try:
        version = BrainRegistry().rollback()
    except (ValueError, FileNotFoundError) as error:
        fail(str(error))
    typer.echo(f"live: {version}")


def _print_metrics(metrics: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False))
    else:
        for key, value in metrics.items():
            typer.echo(f"{key}: {value}")


@eval_app.command("intent")
def eval_intent(
    brain: BrainOption, data: Annotated[Path, typer.Option("--data")], json_: JsonFlag = False
) -> None:
    _print_metrics(_lazy("eval.intent").evaluate_intent(brain, data), json_)


@eval_app.command("sentiment")
def eval_sentiment(
    brain: BrainOption, data: Annotated[Path, typer.Option("--data")], json_: JsonFlag = False
) -> None:
    _print_metrics(_lazy("eval.sentiment").evaluate_sentiment(brain, data), json_)


@eval_app.command("response-selection")
def eval_response_selection(
    brain: BrainOption, data: Annotated[Path, typer.Option("--data")], json_: JsonFlag = False
) -> None:
    _print_metrics(_lazy("eval.response_selection").evaluate_response_selection(brain, data), json_)


@eval_app.command("generation")
def eval_generation(
    brain: BrainOption,
    jddc_dev: Annotated[Path, typer.Option("--jddc-dev")],
    json_: JsonFlag = False,
) -> None:
    _print_metrics(_lazy("eval.generation").evaluate_generation(brain, jddc_dev), json_)


@eval_app.command("quality")
def eval_quality(
    brain: BrainOption, stc3: Annotated[Path, typer.Option("--stc3")], json_: JsonFlag = False
) -> None:
    _print_metrics(_lazy("eval.quality").evaluate_quality(brain, stc3), json_)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="guide|manager|admin")],
    guide_id: Annotated[str | None, typer.Option("--guide-id")] = None,
    store_ids: Annotated[str, typer.Option("--stores", help="Comma-separated store ids.")] = "",
    label: str = "",
    db: DbOption = None,
    tenant: TenantOption = "demo",
) -> None:
    """Create an API key; the secret is printed once and stored only as a hash."""
    from salesbrain.security import create_api_key

    stores = [s for s in store_ids.split(",") if s]
    try:
        secret = create_api_key(
            _open_store(db, tenant), role, guide_id=guide_id, store_ids=stores, label=label
        )
    except ValueError as error:
        fail(str(error))
    typer.echo(secret)


@app.command()
def serve(
    brain: BrainOption | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    db: DbOption = None,
) -> None:
    """Serve the HTTP API and the pages."""
    _lazy("service.main").run(brain=brain, host=host, port=port, db=db)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out")] = Path("var/demo"),
    port: int = 8000,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """Simulate a brand, ingest it, train a small brain, serve it and print where to look."""
    _lazy("training.demo").run_demo(out_dir=out, port=port, serve=serve_api)


def _as_dict(value: Any) -> Any:
    from dataclasses import asdict, is_dataclass

    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value
