"""ser_jax: speech emotion recognition in JAX and Flax NNX, speaker-independent.

Packages: `data` (corpora, folds, segments, batches), `frontends` (features
on the device), `models` (Flax NNX), `methods` (how a config becomes results:
neural, two_step, baseline), `baselines` (feature sets and scikit-learn
classifiers). Entry points: `main`, `classify`, `studies`, `report`.
"""
