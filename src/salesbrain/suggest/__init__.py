"""Reply suggestion: the reply bank, lexical and dense scoring, fusion, slots.

`salesbrain.stages.suggest.SuggestStage` assembles these parts; each module here is usable and
testable on its own.
"""
