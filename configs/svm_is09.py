"""IS09 emotion challenge set (384, openSMILE) + SVM (RBF): Keesing's SVM-IS09 baseline.

    python -m ser_jax.main --config=configs/svm_is09.py:corpus=ravdess,protocol=losgo \
        --workdir=runs/svm_is09

Features: The INTERSPEECH 2009 Emotion Challenge set: openSMILE's standard config
`IS09_emotion.conf` (shipped in the `opensmile` package's config directory),
16 LLDs + deltas x 12 functionals = 384. Keesing et al.: SVM-IS09 on RAVDESS,
per-speaker standardisation, 60.6 % UAR.

Config arguments, the folds and the hyper-parameter search: see
`configs/common.py`.
"""

from configs.common import baseline_config


def get_config(arg=None):
    return baseline_config(arg, features="is09")
