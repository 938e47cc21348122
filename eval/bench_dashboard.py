"""How fast the manager's pages get their data on a brand of the demo's size.

Run:
    .venv/bin/python -m eval.bench_dashboard          # 40 guides, 2000 customers, 30 days
    .venv/bin/python -m eval.bench_dashboard --guides 8 --customers 200 --days 7

The brand is simulated, ingested into a temporary SQLite store and labelled with the
simulator's truth (intents, compliance violations, outcomes: what a perfect `analyze` would
store). The app runs in-process with the real reports. For each page, the API calls it makes
are timed: `cold` is the first call after start (scoring and facts computed and cached),
`warm` the median of the next repetitions. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from eval.scoring_recovery import true_outcomes
from eval.serving import seed_brand
from salesbrain.analysis import save_analyses
from salesbrain.brain import ConversationAnalysis, MessageCompliance, MessageIntent
from salesbrain.db import Database
from salesbrain.schema import Conversation, Role
from salesbrain.stages.compliance import ComplianceHit


def label_with_truth(store: Database, brand_dir: Path) -> dict[str, Any]:
    """Store the simulator's truth as analysis labels; returns the truth."""
    truth: dict[str, Any] = json.loads((brand_dir / "truth.json").read_text(encoding="utf-8"))
    outcomes = true_outcomes(store, truth)
    analyses = [_analysis(c, truth, outcomes.get(c.conversation_id, "lost"))
                for c in store.conversations()]
    save_analyses(store, analyses, "truth")
    return truth


def _analysis(conversation: Conversation, truth: dict[str, Any],
              outcome: str) -> ConversationAnalysis:
    intents = [MessageIntent(m.msgid, truth["messages"][m.msgid], 0.9, False)
               for m in conversation.messages
               if m.role is Role.CUSTOMER and m.msgid in truth["messages"]]
    hits = [MessageCompliance(m.msgid, (ComplianceHit("truth", kind, "high", 0, 1, m.text[:1]),))
            for m in conversation.messages if (kind := truth["violations"].get(m.msgid))]
    return ConversationAnalysis(conversation.conversation_id, intents, {}, None, hits, outcome,
                                "truth", None)


def page_calls(store: Database) -> dict[str, list[str]]:
    """The API paths each page requests, for a typical guide and conversation."""
    guide = store.guides()[0].guide_id
    conversation = next(iter(store.conversations(guide_id=guide, limit=1))).conversation_id
    return {
        "leaderboard": ["/v1/guides", "/v1/leaderboard?period=month"],
        "drilldown": [f"/v1/guides/{guide}/drilldown?period=week"],
        "conversation": [f"/v1/conversations/{conversation}/labels"],
        "coaching": [f"/v1/coaching/{guide}/pairs", "/v1/guides"],
    }


def timed(client: Any, headers: dict[str, str], paths: list[str]) -> float:
    started = time.perf_counter()
    for path in paths:
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
    return time.perf_counter() - started


def app_client(db_path: Path) -> Any:
    """The app on the store with the real reports; the dashboard needs no brain."""
    from fastapi.testclient import TestClient

    from service.api.deps import get_brain_slot
    from service.core.config import Settings
    from service.main import create_app

    app = create_app(Settings(db_url=f"sqlite:///{db_path}", models_root=db_path.parent,
                              operator_tenant="bench", rate_per_second=10_000,
                              rate_burst=10_000))
    app.dependency_overrides[get_brain_slot] = lambda: None
    return TestClient(app)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guides", type=int, default=40)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    from salesbrain.security import create_api_key

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = Database.open(f"sqlite:///{root / 'brand.db'}", tenant="bench")
        started = time.perf_counter()
        seed_brand(store, root / "brand", guides=args.guides, customers=args.customers,
                   days=args.days)
        label_with_truth(store, root / "brand")
        print(f"brand ready in {time.perf_counter() - started:.1f} s")
        headers = {"X-API-Key": create_api_key(store, "admin")}
        client = app_client(root / "brand.db")
        result: dict[str, Any] = {"guides": args.guides, "customers": args.customers,
                                  "days": args.days, "pages": {}}
        with client:
            for page, paths in page_calls(store).items():
                cold = timed(client, headers, paths)
                warm = statistics.median(timed(client, headers, paths)
                                         for _ in range(args.repeats))
                result["pages"][page] = {"cold_s": round(cold, 3), "warm_s": round(warm, 3)}
                print(f"{page:13s} cold {cold:6.3f} s   warm {warm:6.3f} s")
        print(json.dumps(result))


if __name__ == "__main__":
    main()
