"""Offline jobs the command line runs: train every stage into a brain directory, then evaluate it.

`train.train_brain` runs each stage's `train_<stage>.run`, writes the `brain.json` manifest and
gates the brain with `salesbrain.evaluation.brain`; `demo.run_demo` builds the demo brand.
Nothing here is imported by the online path (`Brain`, stages, the service).
"""
