"""Crash test: SIGKILL the server in the middle of an ingest batch, restart it, re-send.

    python -m eval.kill_ingest                       # SQLite under var/eval/kill_ingest
    python -m eval.kill_ingest --db postgresql+psycopg://postgres@127.0.0.1:55432/postgres

A simulated brand's WeCom archive is streamed to POST /v1/messages as NDJSON; once part of it
is committed the server is killed with SIGKILL, restarted, and the whole batch is sent again.
The store must then equal a reference store that ingested the archive once, from the file:
the same messages (nothing lost, nothing doubled), conversations with the same ids and message
counts, the same recall and consent effects, and the same quarantined records (a malformed
line is slipped in every 997 lines). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from eval.serving import Server, seed_brand, tiny_brain
from salesbrain.db import Database
from salesbrain.db.activity import conversation_sizes, message_contents
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.security import create_api_key

NDJSON = {"Content-Type": "application/x-ndjson"}


def stream_file(path: Path, piece: int = 1 << 16) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while data := handle.read(piece):
            yield data


def snapshot(store: Database) -> dict[str, Any]:
    """What must survive: every message with its conversation, and each conversation's count."""
    messages, conversations = message_contents(store), conversation_sizes(store)
    counted: dict[str, int] = {}
    for conversation_id, _, _ in messages.values():
        counted[conversation_id] = counted.get(conversation_id, 0) + 1
    return {"messages": messages, "conversations": conversations, "counted": counted,
            "quarantined": store.count("quarantine")}


def with_bad_records(archive: Path, every: int = 997) -> Path:
    """A copy of the archive with a malformed line after every `every` lines (for quarantine)."""
    target = archive.with_name("archive_with_errors.jsonl")
    with archive.open("rb") as source, target.open("wb") as out:
        for number, line in enumerate(source, start=1):
            out.write(line)
            if number % every == 0:
                out.write(b'{"msgid": "broken-%d", "msgtype": \n' % number)
    return target


def reference_store(brand: Path, archive: Path, work_dir: Path) -> Database:
    store = Database.open(f"sqlite:///{work_dir / 'reference.db'}", tenant="reference")
    ingestor = Ingestor(store)
    ingestor.ingest_brand_tables(brand)
    ingestor.ingest_messages(archive, "wecom")
    return store


def send_batch(url: str, secret: str, archive: Path, outcome: dict[str, Any]) -> None:
    try:
        response = httpx.post(f"{url}/v1/messages?format=wecom&batch_id=kill-test",
                              content=stream_file(archive), timeout=600,
                              headers={**NDJSON, "Authorization": f"Bearer {secret}"})
        outcome["status"] = response.status_code
        outcome["body"] = response.json()
    except httpx.TransportError as error:
        outcome["error"] = type(error).__name__


def kill_mid_batch(server: Server, store: Database, secret: str, archive: Path,
                   kill_at: int) -> dict[str, Any]:
    """Send the batch and SIGKILL the server once `kill_at` messages are committed."""
    outcome: dict[str, Any] = {}
    sender = threading.Thread(target=send_batch, args=(server.url, secret, archive, outcome))
    sender.start()
    while sender.is_alive() and store.count("messages") < kill_at:
        time.sleep(0.01)
    server.kill()
    sender.join(60)
    return {"stored_before_kill": store.count("messages"), "first_request": outcome}


def run_kill_test(work_dir: Path, db_url: str | None = None, chunk_records: int = 200,
                  kill_fraction: float = 0.3, bad_every: int = 997,
                  **size: Any) -> dict[str, Any]:
    """Kill once `kill_fraction` of the messages are stored; compare with a clean ingestion."""
    brand = work_dir / "brand"
    store = Database.open(db_url or f"sqlite:///{work_dir / 'service.db'}",
                       tenant=f"kill_{uuid.uuid4().hex[:8]}")
    seed_brand(store, brand, messages=False, **size)
    secret = create_api_key(store, "admin", label="kill-test")
    brain = tiny_brain(work_dir / "brain", "kill-test")
    url = store.engine.url.render_as_string(hide_password=False)
    settings = {"ingest_chunk_records": chunk_records, "max_stream_bytes": 1 << 30}
    server = Server(url, work_dir / "models", work_dir / "server.log", brain, **settings)
    server.wait_ready()
    archive = with_bad_records(brand / "archive.jsonl", bad_every)
    reference = snapshot(reference_store(brand, archive, work_dir))
    kill_at = max(1, int(len(reference["messages"]) * kill_fraction))
    report = kill_mid_batch(server, store, secret, archive, kill_at)
    server.stop()
    restarted = Server(url, work_dir / "models", work_dir / "server.log", brain, **settings)
    restarted.wait_ready()
    outcome: dict[str, Any] = {}
    send_batch(restarted.url, secret, archive, outcome)
    restarted.stop()
    resend = dict(outcome.get("body", outcome))
    resend["errors"] = len(resend.get("errors", []))  # each names its record index and reason
    return {**report, "resend": resend, **compare(snapshot(store), reference)}


def compare(got: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    lost = want["messages"].keys() - got["messages"].keys()
    extra = got["messages"].keys() - want["messages"].keys()
    differing = [k for k in want["messages"].keys() & got["messages"].keys()
                 if want["messages"][k] != got["messages"][k]]
    miscounted = [k for k, n in got["conversations"].items() if got["counted"].get(k, 0) != n]
    result = {
        "messages": len(got["messages"]), "reference_messages": len(want["messages"]),
        "lost": len(lost), "extra": len(extra), "differing": len(differing),
        "conversations": len(got["conversations"]),
        "reference_conversations": len(want["conversations"]),
        "miscounted_conversations": len(miscounted),
        "quarantined": got["quarantined"], "reference_quarantined": want["quarantined"],
    }
    result["ok"] = (not lost and not extra and not differing and not miscounted
                    and got["conversations"] == want["conversations"]
                    and got["quarantined"] == want["quarantined"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="SQLAlchemy URL (default: a temp SQLite)")
    parser.add_argument("--guides", type=int, default=40)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--chunk-records", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kill_ingest_") as work:
        result = run_kill_test(Path(work), args.db, args.chunk_records, guides=args.guides,
                               customers=args.customers, days=args.days)
    print(json.dumps(result, ensure_ascii=False))
    raise SystemExit(0 if result["ok"] and result["first_request"].get("error") else 1)


if __name__ == "__main__":
    main()
