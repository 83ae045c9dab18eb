"""eGeMAPS v02 functionals (88, openSMILE) + SVM (RBF) baseline.

    python -m ser_jax.main --config=configs/svm_egemaps.py:corpus=ravdess,protocol=losgo \
        --workdir=runs/svm_egemaps

Features: eGeMAPS v02 (Eyben et al. 2016) functionals from the `opensmile` package.

Config arguments, the folds and the hyper-parameter search: see
`configs/common.py`.
"""

from configs.common import baseline_config


def get_config(arg=None):
    return baseline_config(arg, features="egemaps")
