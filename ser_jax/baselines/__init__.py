"""Feature baselines: openSMILE and hand-built utterance features + scikit-learn.

`features` computes (and caches) one vector per utterance, `classifiers` builds
the speaker-standardised scikit-learn pipelines and their grids; the method
`ser_jax.methods.baseline` runs them over the same speaker-independent folds
as the neural models, writing the same results.json.
"""
