"""Span scoring of the name and address tagger against the redaction rules.

Shared by the tagger's training job (validation numbers) and `eval.name_tagger` (the test
split and the fixtures): rules alone, the tagger behind its gate, and both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from salesbrain.ingest.name_tagger import KINDS, NameTagger
from salesbrain.ingest.redact import redact

Span = tuple[str, int, int]
Predict = Callable[[Sequence[str]], list[list[Span]]]
Example = tuple[str, Sequence[Span]]


def spans_overlap(a: Span, b: Span, same_kind: bool = True) -> bool:
    """Whether two (kind, start, end) spans share a character (and a kind, unless told not to)."""
    return (a[0] == b[0] or not same_kind) and a[1] < b[2] and b[1] < a[2]


def precision_recall(hit_pred: int, n_pred: int, hit_gold: int, n_gold: int) -> dict[str, float]:
    p = hit_pred / n_pred if n_pred else 1.0
    r = hit_gold / n_gold if n_gold else 1.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r
            else 0.0, "gold": n_gold, "pred": n_pred}


def score_spans(rows: Sequence[Example], predict: Predict) -> dict[str, dict]:
    """Exact and overlap P/R/F1 and leak recall per kind (person_name, address)."""
    preds = predict([text for text, _ in rows])
    result: dict[str, dict] = {}
    for kind in KINDS:
        pairs = [([s for s in gold if s[0] == kind], [s for s in pred if s[0] == kind], pred)
                 for (_, gold), pred in zip(rows, preds, strict=True)]
        n_gold = sum(len(g) for g, _, _ in pairs)
        n_pred = sum(len(p) for _, p, _ in pairs)
        exact = sum(len(set(g) & set(p)) for g, p, _ in pairs)
        over_pred = sum(any(spans_overlap(s, x) for x in g) for g, p, _ in pairs for s in p)
        over_gold = sum(any(spans_overlap(s, x) for x in p) for g, p, _ in pairs for s in g)
        covered = sum(any(spans_overlap(s, x, False) for x in every) for g, _, every in pairs
                      for s in g)
        result[kind] = {"exact": precision_recall(exact, n_pred, exact, n_gold),
                        "overlap": precision_recall(over_pred, n_pred, over_gold, n_gold),
                        "leak_recall": round(covered / n_gold, 4) if n_gold else 1.0}
    return result


def rules(texts: Sequence[str]) -> list[list[Span]]:
    return [[(s.kind, s.start, s.end) for s in redact(t).spans if s.kind in KINDS]
            for t in texts]


def tagger_with_gate(tagger: NameTagger) -> Predict:
    def predict(texts: Sequence[str]) -> list[list[Span]]:
        wanted = [i for i, t in enumerate(texts) if tagger.wants(t)]
        found: list[list[Span]] = [[] for _ in texts]
        for i, spans in zip(wanted, tagger.spans([texts[i] for i in wanted]), strict=True):
            found[i] = spans
        return found
    return predict


def rules_then_tagger(tagger: NameTagger) -> Predict:
    """The union that redaction would apply: rule spans win every overlap."""
    gated = tagger_with_gate(tagger)

    def predict(texts: Sequence[str]) -> list[list[Span]]:
        merged = []
        for ruled, tagged in zip(rules(texts), gated(texts), strict=True):
            extra = [s for s in tagged if not any(spans_overlap(s, r, False) for r in ruled)]
            merged.append(sorted(ruled + extra, key=lambda s: s[1]))
        return merged
    return predict


def compare(rows: Sequence[Example], tagger: NameTagger) -> dict[str, dict]:
    """Rules, tagger+gate and rules+tagger scored on the same rows."""
    return {"rules": score_spans(rows, rules),
            "tagger": score_spans(rows, tagger_with_gate(tagger)),
            "rules+tagger": score_spans(rows, rules_then_tagger(tagger))}
