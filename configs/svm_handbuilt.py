"""Anand & Verma's 26 hand-built features (per 512 ms chunk) + SVM (RBF) baseline.

    python -m ser_jax.main --config=configs/svm_handbuilt.py:corpus=ravdess,protocol=losgo \
        --workdir=runs/svm_handbuilt

Features: Per non-overlapping 512 ms chunk (librosa): RMS energy, 13 MFCC, zero-crossing
rate, 4 band energies (0-0.5, 0.5-1, 1-2, 2-8 kHz), 5 roll-offs (10, 25, 50,
75, 90 %), centroid, pitch (librosa.yin, frames within 30 dB of the loudest);
the utterance vector is their mean, std, min and max over chunks (104). Anand &
Verma's own numbers are chunk-level and not speaker independent.

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
    return make_config(arg, features="handbuilt")
