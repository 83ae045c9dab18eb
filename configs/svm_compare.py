"""ComParE 2016 functionals (6373, openSMILE) + SVM (RBF) baseline.

    python -m ser_jax.main --config=configs/svm_compare.py:corpus=ravdess,protocol=losgo \
        --workdir=runs/svm_compare

Features: ComParE 2016 functionals from the `opensmile` package (the IS13 ComParE set's
2016 revision; ERTK's IS13 ComParE + SVM reaches 69 % on RAVDESS).

Config arguments, the folds and the hyper-parameter search: see
`configs/common.py`.
"""

from configs.common import baseline_config


def get_config(arg=None):
    return baseline_config(arg, features="compare")
