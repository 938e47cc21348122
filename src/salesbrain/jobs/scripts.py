"""Fill a tenant's script library (话术库) from its champions' most-used replies per intent.

    python -m salesbrain.jobs.scripts --db sqlite:///var/demo/salesbrain.db --tenant demo

Reads the champions' well-ended conversations and the intents `analyze` stored, mines the
most-used reply templates per intent (salesbrain.suggest.scripts.mine_scripts) and adds the
ones the library does not hold yet. Running it again adds nothing new.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from salesbrain.db import Database
from salesbrain.db.scripts import add_scripts, list_scripts
from salesbrain.jobs.champion_replies import MIN_CONVERSATIONS, champion_intent_replies
from salesbrain.suggest.scripts import RowError, mine_scripts, read_scripts_csv, write_scripts_csv


def compliant() -> Callable[[str], bool]:
    from salesbrain.stages.compliance import ComplianceStage

    compliance = ComplianceStage().fit()
    return lambda text: not compliance.predict([text])[0]


def mine_library(store: Database, *, min_conversations: int = MIN_CONVERSATIONS,
                 min_uses: int = 2) -> dict[str, Any]:
    """Mine and store; returns how many replies were read, templates mined and scripts added."""
    replies = list(champion_intent_replies(store, min_conversations))
    mined = mine_scripts(replies, min_uses=min_uses, keep=compliant())
    added = add_scripts(store, mined)
    intents = sorted({s.intent for s in mined})
    return {"replies": len(replies), "mined": len(mined), "added": len(added), "intents": intents}


def import_csv(store: Database, text: str) -> tuple[int, int, list[RowError]]:
    """Store the good rows of a script CSV; returns (imported, duplicates, row errors)."""
    parsed = read_scripts_csv(text)
    added = add_scripts(store, parsed.scripts)
    return len(added), len(parsed.scripts) - len(added), parsed.errors


def export_csv(store: Database, intent: str | None = None) -> str:
    """The active scripts as CSV (`intent,text,tags`), ready to edit and import again."""
    return write_scripts_csv(list_scripts(store, intent=intent, status="active"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--tenant", default="demo")
    args = parser.parse_args()
    print(json.dumps(mine_library(Database.open(args.db, args.tenant)), ensure_ascii=False))


if __name__ == "__main__":
    main()
