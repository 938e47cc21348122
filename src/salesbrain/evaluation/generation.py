"""Reply quality against human references in JDDC's dev format: character BLEU-4 and chrF.

Run:
    .venv/bin/python -m salesbrain.evaluation.generation --stage models/dev/suggest \
        --jddc-dev var/eval/jddc_dev [--baselines] [--modes generator,retrieval,both]

`--modes` scores, on the same targets in one run, the stage's generator alone (its top beam,
raw), retrieval alone (the bank, `generate=False`) and both re-ranked together (the stage's
product path); `eval/bench_generation.py` times each path.

The suggestion for each `<Qn>` is the stage's top reply (no abstention: the benchmark asks for
an answer to every target). The conversation it sees is the session's context, then for each
earlier target the customer's message and the reply the stage gave. References marked NULL
(no human reply) are skipped; a target whose references are all NULL is not scored.

Metrics, both on characters with whitespace removed:
- bleu4_char: sentence BLEU-4 (uniform weights, brevity penalty) with Chen & Cherry's
  smoothing method 1 (a zero n-gram match count becomes 0.1), as nltk's
  `sentence_bleu(..., smoothing_function=SmoothingFunction().method1)` on character lists;
- chrf: chrF (n = 1..6, beta = 2): precision and recall averaged over the n-gram orders both
  sides have, then the F-beta of the two (sacreBLEU's definition), in 0..1.
Each is computed against every human reference separately, averaged over the references,
then over the targets.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from salesbrain.evaluation.response_selection import load_suggest_stage
from salesbrain.schema import Role, Turn

MESSAGE_SEP, REFERENCE_SEP, NO_REPLY = "!@@@!", "<sep>", "NULL"
_SESSION = re.compile(r"<session ([^>]+)>\n(.*?)</session \1>", re.S)
_TARGET = re.compile(r"<Q(\d+)>(.*?)</Q\1>", re.S)


def _chars(text: str) -> list[str]:
    return list("".join(text.split()))


def _ngrams(chars: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(chars[i : i + n]) for i in range(len(chars) - n + 1))


def bleu4_char(hypothesis: str, reference: str, epsilon: float = 0.1) -> float:
    """Sentence BLEU-4 over characters against one reference, smoothing method 1."""
    hyp, ref = _chars(hypothesis), _chars(reference)
    if not hyp or not ref:
        return 0.0
    log_precision = 0.0
    for n in range(1, 5):
        hyp_grams, ref_grams = _ngrams(hyp, n), _ngrams(ref, n)
        matches = sum(min(c, ref_grams[g]) for g, c in hyp_grams.items())
        if n == 1 and matches == 0:  # nltk: no character in common scores 0, unsmoothed
            return 0.0
        total = max(1, sum(hyp_grams.values()))
        log_precision += 0.25 * math.log((matches or epsilon) / total)
    brevity = 1.0 if len(hyp) > len(ref) else math.exp(1 - len(ref) / len(hyp))
    return brevity * math.exp(log_precision)


def chrf(hypothesis: str, reference: str, max_order: int = 6, beta: float = 2.0) -> float:
    """chrF against one reference, in 0..1."""
    hyp, ref = _chars(hypothesis), _chars(reference)
    precisions, recalls = [], []
    for n in range(1, max_order + 1):
        hyp_grams, ref_grams = _ngrams(hyp, n), _ngrams(ref, n)
        if not hyp_grams or not ref_grams:
            continue
        matches = sum(min(c, ref_grams[g]) for g, c in hyp_grams.items())
        precisions.append(matches / sum(hyp_grams.values()))
        recalls.append(matches / sum(ref_grams.values()))
    if not precisions:
        return 0.0
    p, r = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    if p + r == 0:
        return 0.0
    return (1 + beta**2) * p * r / (beta**2 * p + r)


def mean_over_references(metric: Callable[[str, str], float], hypothesis: str,
                         references: Sequence[str]) -> float:
    return sum(metric(hypothesis, r) for r in references) / len(references)


@dataclass(frozen=True)
class DevSession:
    session_id: str
    context: tuple[Turn, ...]
    targets: tuple[str, ...]
    references: tuple[tuple[str, ...], ...]


def _turn_text(field: str) -> str:
    return " ".join(m for m in field.split(MESSAGE_SEP) if m.strip() and m != NO_REPLY)


def _context(block: str) -> tuple[Turn, ...]:
    turns: list[Turn] = []
    for line in block.splitlines():
        if line.startswith("Q:"):
            role, text = Role.CUSTOMER, line[2:].strip()
        elif line.startswith("A:"):
            role, text = Role.GUIDE, _turn_text(line[2:].strip().split(REFERENCE_SEP)[0])
        else:
            continue
        if not text:
            continue
        if turns and turns[-1].role is role:
            turns[-1] = Turn(role, f"{turns[-1].text} {text}")
        else:
            turns.append(Turn(role, text))
    return tuple(turns)


def read_jddc_dev(directory: Path) -> list[DevSession]:
    """Parse dev_question.txt and dev_answer.txt; answers line up with targets by order."""
    questions = (directory / "dev_question.txt").read_text(encoding="utf-8")
    answers = dict(_SESSION.findall((directory / "dev_answer.txt").read_text(encoding="utf-8")))
    sessions = []
    for session_id, body in _SESSION.findall(questions):
        if session_id not in answers:
            raise ValueError(f"{directory / 'dev_answer.txt'}: no answers for session {session_id}")
        context = body.split("<context>")[-1].split("</context>")[0]
        targets = tuple(_turn_text(t) for _, t in _TARGET.findall(body))
        lines = [line for line in answers[session_id].splitlines() if line.strip()]
        if len(lines) != len(targets):
            raise ValueError(f"session {session_id}: {len(targets)} targets, {len(lines)} answers")
        references = tuple(
            tuple(_turn_text(r) for r in line.split(REFERENCE_SEP) if _turn_text(r))
            for line in lines)
        sessions.append(DevSession(session_id, _context(context), targets, references))
    return sessions


def replies_for(sessions: Sequence[DevSession],
                reply: Callable[[tuple[Turn, ...]], str]) -> list[list[str]]:
    """The reply to each target, the conversation growing with the replies given."""
    out = []
    for session in sessions:
        turns, given = list(session.context), []
        for target in session.targets:
            if target:
                turns.append(Turn(Role.CUSTOMER, target))
            answer = reply(tuple(turns))
            given.append(answer)
            if answer:
                turns.append(Turn(Role.GUIDE, answer))
        out.append(given)
    return out


def score_replies(sessions: Sequence[DevSession], replies: Sequence[Sequence[str]]) -> dict:
    bleu, chrf_scores = [], []
    for session, given in zip(sessions, replies, strict=True):
        for answer, references in zip(given, session.references, strict=True):
            if not references:
                continue
            bleu.append(mean_over_references(bleu4_char, answer, references))
            chrf_scores.append(mean_over_references(chrf, answer, references))
    n = len(bleu)
    return {"n": n, "bleu4_char": sum(bleu) / n if n else 0.0,
            "chrf": sum(chrf_scores) / n if n else 0.0}


def stage_reply(stage, parts: str = "fused", generate: bool = True,  # noqa: ANN001
                sources: list[str] | None = None) -> Callable[[tuple[Turn, ...]], str]:
    """The stage's top reply; `sources`, when given, collects where each came from."""
    from salesbrain.suggest.types import SuggestInput

    def reply(turns: tuple[Turn, ...]) -> str:
        best = stage.top_replies([SuggestInput(turns, k=1)], parts=parts, generate=generate)[0]
        if sources is not None and best:
            sources.append(best[0].source)
        return best[0].text if best else ""

    return reply


def generator_reply(generator) -> Callable[[tuple[Turn, ...]], str]:  # noqa: ANN001
    """The generator's top beam for the conversation, as the stage would prompt it."""
    from salesbrain.suggest.generated_candidates import generate_replies
    from salesbrain.suggest.types import SuggestInput

    def reply(turns: tuple[Turn, ...]) -> str:
        written = generate_replies(generator, [SuggestInput(turns, k=1)], 1)[0]
        return written[0] if written else ""

    return reply


MODES = ("generator", "retrieval", "both")


def mode_replies(stage, mode: str,  # noqa: ANN001
                 sources: list[str]) -> Callable[[tuple[Turn, ...]], str]:
    if mode != "retrieval" and stage.generator_ is None:
        raise ValueError(f"mode {mode!r} needs a stage with a generator/ directory")
    if mode == "generator":
        return generator_reply(stage.generator_)
    return stage_reply(stage, generate=mode == "both", sources=sources)


def evaluate_modes(stage, sessions: Sequence[DevSession], modes: Sequence[str]) -> dict:  # noqa: ANN001
    """BLEU-4 / chrF of each mode on the same targets; for "both", the generated share."""
    results = {}
    for mode in modes:
        sources: list[str] = []
        replies = replies_for(sessions, mode_replies(stage, mode, sources))
        results[mode] = score_replies(sessions, replies)
        if mode == "both":
            results[mode]["generated_top_share"] = (
                round(sources.count("generated") / len(sources), 3) if sources else 0.0)
    return results


def conversations_of(sessions: Sequence[DevSession]) -> list[tuple[Turn, ...]]:
    """Each target's conversation with the human references' first reply as the history
    (request inputs for timing and source shares, independent of any mode's answers)."""
    out = []
    for session in sessions:
        turns = list(session.context)
        for target, references in zip(session.targets, session.references, strict=True):
            if target:
                turns.append(Turn(Role.CUSTOMER, target))
            out.append(tuple(turns))
            if references:
                turns.append(Turn(Role.GUIDE, references[0]))
    return out


def evaluate_generation(stage_dir: Path, jddc_dev_dir: Path) -> dict:
    """The CLI contract: {"n", "bleu4_char", "chrf"} of the stage's top replies."""
    sessions = read_jddc_dev(Path(jddc_dev_dir))
    stage = load_suggest_stage(Path(stage_dir))
    return score_replies(sessions, replies_for(sessions, stage_reply(stage)))


def main() -> None:
    parser = argparse.ArgumentParser(description="Character BLEU-4 and chrF on JDDC dev format.")
    parser.add_argument("--stage", type=Path, required=True, help="suggest stage or brain dir")
    parser.add_argument("--jddc-dev", type=Path, required=True)
    parser.add_argument("--baselines", action="store_true",
                        help="also score the lexical-only path and a fixed most-common reply")
    parser.add_argument("--modes", default="",
                        help="comma-separated of generator, retrieval, both (needs generator/)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if args.modes:
        import torch

        torch.set_num_threads(args.threads)
        stage = load_suggest_stage(args.stage)
        results = evaluate_modes(stage, read_jddc_dev(args.jddc_dev), parse_modes(args.modes))
    elif args.baselines:
        results = evaluate_baselines(load_suggest_stage(args.stage), read_jddc_dev(args.jddc_dev))
    else:
        results = evaluate_generation(args.stage, args.jddc_dev)
    print(json.dumps(results, indent=2))


def parse_modes(text: str) -> list[str]:
    """`--modes` as a list (empty: every mode); an unknown mode fails naming it."""
    modes = [m for m in text.split(",") if m] or list(MODES)
    unknown = set(modes) - set(MODES)
    if unknown:
        raise SystemExit(f"--modes: unknown {sorted(unknown)}; choose from {list(MODES)}")
    return modes


def evaluate_baselines(stage, sessions: Sequence[DevSession]) -> dict:  # noqa: ANN001
    """A fixed most-common reply and each of the stage's parts, scored on the same targets."""
    common = max(stage.bank_.entries, key=lambda e: e.uses).text
    results = {"most_common_reply": score_replies(
        sessions, replies_for(sessions, lambda _: common))}
    for parts in stage.available_parts():
        results[f"stage_{parts}"] = score_replies(
            sessions, replies_for(sessions, stage_reply(stage, parts)))
    return results


if __name__ == "__main__":
    main()
