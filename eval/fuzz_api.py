"""Property-based API fuzzing from the OpenAPI schema (schemathesis + hypothesis): no 5xx.

    python -m eval.fuzz_api                      # ~25 examples per operation, role and mode
    python -m eval.fuzz_api --examples 50 --max-seconds 600 --brain models/brains/<version>
    python -m eval.fuzz_api --db postgresql+psycopg://postgres@127.0.0.1:55432/postgres

The app runs in-process on a temporary SQLite store (or `--db`, in a tenant of its own) holding
a small simulated brand, with a real brain (a tiny rules-only one unless `--brain` names a
trained one) under a registry of two versions, so promotion and rollback are fuzzed too. Every
operation is called with a guide, a manager and an admin key, with schema-valid (positive) and
schema-violating (negative) data.
Prints one JSON object: cases run, status classes, and every 5xx with a curl line to replay it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from eval.serving import registry_of, seed_brand
from salesbrain.db import Database
from salesbrain.security import create_api_key
from service.core.config import Settings
from service.main import create_app

MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


class Tally:
    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.statuses: Counter[str] = Counter()
        self.by_operation: Counter[str] = Counter()
        self.server_errors: list[dict[str, Any]] = []

    def record(self, label: str, status: int, case: Any, detail: str = "") -> None:
        self.statuses[f"{status // 100}xx"] += 1
        self.by_operation[label] += 1
        if status >= 500 and len(self.server_errors) < 50:
            self.server_errors.append({"operation": label, "status": status, "detail": detail,
                                       "curl": case.as_curl_command()})


def fuzz_operation(operation: Any, mode: GenerationMode, headers: dict[str, str], examples: int,
                   tally: Tally, path_parameters: dict[str, str] | None = None) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=strategy)
    def run(case: Any) -> None:
        if time.monotonic() > tally.deadline:
            return
        try:
            response = case.call(headers={**(case.headers or {}), **headers})
            tally.record(operation.label, response.status_code, case, response.text[:300])
        except Exception as error:  # noqa: BLE001 - an app exception is what we look for
            tally.record(operation.label, 500, case, f"{type(error).__name__}: {error}"[:300])

    # Unsatisfiable: nothing to violate (negative data for an operation without inputs).
    with contextlib.suppress(Unsatisfiable):
        run()


def known_parameters(store: Database) -> dict[str, str]:
    """Real path parameters, so fuzzing also reaches past the 404s into the handlers."""
    guide = store.guides()[0]
    conversation = next(store.conversations(guide_id=guide.guide_id))
    spare = create_api_key(store, "guide", guide_id=guide.guide_id, label="fuzz spare")
    return {"guide_id": guide.guide_id, "conversation_id": conversation.conversation_id,
            "version": "fuzz-b", "key_id": spare.split("_")[1]}


def build_app(work: Path, brain: Path | None, db_url: str | None) -> tuple[
        Any, dict[str, dict[str, str]], dict[str, str]]:
    store = Database.open(db_url or f"sqlite:///{work / 'fuzz.db'}",
                       tenant=f"fuzz_{uuid.uuid4().hex[:8]}")
    seed_brand(store, work / "brand", guides=8, customers=160, days=21)
    registry = registry_of(work / "models", {"fuzz-a": brain, "fuzz-b": brain})
    guide = store.guides()[0]
    keys = {
        "guide": create_api_key(store, "guide", guide_id=guide.guide_id),
        "manager": create_api_key(store, "manager", store_ids=[guide.store_id]),
        "admin": create_api_key(store, "admin"),
    }
    options = Settings(db_url=store.engine.url.render_as_string(hide_password=False),
                       models_root=registry.root, rate_per_second=1e6, rate_burst=1_000_000,
                       operator_tenant=store.tenant)
    app = create_app(options)
    auth = {role: {"Authorization": f"Bearer {key}"} for role, key in keys.items()}
    return app, auth, known_parameters(store)


def run_fuzz(examples: int, max_seconds: float, brain: Path | None, db_url: str | None = None,
             progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="fuzz_api_") as work:
        app, headers, known = build_app(Path(work), brain, db_url)
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        tally = Tally(time.monotonic() + max_seconds)
        from fastapi.testclient import TestClient

        with TestClient(app):  # runs the lifespan: the real brain loads once
            for result in schema.get_all_operations():
                operation = result.ok()  # type: ignore[union-attr]
                names = {p.name for p in operation.path_parameters}
                real = {name: known[name] for name in names if name in known} or None
                for auth in headers.values():
                    for mode in MODES:
                        fuzz_operation(operation, mode, auth, examples, tally)
                    if real:
                        fuzz_operation(operation, MODES[0], auth, examples, tally, real)
                progress(f"{operation.label}: {tally.by_operation[operation.label]} cases")
    return {
        "cases": sum(tally.statuses.values()),
        "operations": len(tally.by_operation),
        "statuses": dict(sorted(tally.statuses.items())),
        "server_errors": sum(n for status, n in tally.statuses.items() if status == "5xx"),
        "server_error_examples": tally.server_errors[:10],
        "per_operation": dict(sorted(tally.by_operation.items())),
        "time_limited": time.monotonic() > tally.deadline,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25,
                        help="max examples per operation, role and mode")
    parser.add_argument("--max-seconds", type=float, default=480.0)
    parser.add_argument("--brain", type=Path, default=None, help="a trained brain directory")
    parser.add_argument("--db", default=None, help="SQLAlchemy URL (default: a temp SQLite)")
    args = parser.parse_args()
    started = time.monotonic()
    result = run_fuzz(args.examples, args.max_seconds, args.brain, args.db,
                      progress=lambda line: print(line, flush=True))
    result["seconds"] = round(time.monotonic() - started, 1)
    result["schemathesis"] = schemathesis.__version__
    print(json.dumps(result, ensure_ascii=False))
    raise SystemExit(1 if result["server_errors"] else 0)


if __name__ == "__main__":
    main()
