"""Held-out evaluations of a brain: what `salesbrain eval ...` prints and what training's gate
(`brain.evaluate_brain`, written to `eval_results.json`) compares before promotion."""
