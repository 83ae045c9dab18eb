"""IS09 emotion challenge set (384, openSMILE) + SVM (RBF): Keesing's SVM-IS09 baseline.

    python -m ser_jax.main --config=configs/svm_is09.py:corpus=ravdess,protocol=losgo \
        --workdir=runs/svm_is09

Features: The INTERSPEECH 2009 Emotion Challenge set: openSMILE's standard config
`IS09_emotion.conf` (shipped in the `opensmile` package's config directory),
16 LLDs + deltas x 12 functionals = 384. Keesing et al.: SVM-IS09 on RAVDESS,
per-speaker standardisation, 60.6 % UAR.

Config arguments: `corpus` (synthetic | ravdess | emodb | synthetic/tiny),
`protocol` (auto | loso | losgo), `classifier` (svm_rbf | svm_linear | logreg |
mlp), `standardization`:
  train_speakers            one scaler fitted on the fold's training speakers,
                            applied to everyone (no test-speaker statistics);
  per_speaker_transductive  every speaker standardised with its own statistics,
                            the test speaker's included (Keesing et al.'s tables);
  none.
The folds are the neural models' (same protocol fields and seed); each fold's
validation speakers are simply added to its training speakers. C, gamma, etc.
are chosen by a grid search (`config.grid`) scored by UAR, with GroupKFold over
the training speakers (`config.inner_cv_folds`, 0 = leave one speaker out);
class_weight="balanced". Any field can be overridden, e.g. `--config.fold=0
--config.grid.C='(1.0,10.0)'`.
"""

from ser_jax.baselines.config import make_config


def get_config(arg=None):
    return make_config(arg, features="is09")
