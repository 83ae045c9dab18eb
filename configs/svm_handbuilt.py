"""Anand & Verma's 26 hand-built features (per 512 ms chunk) + SVM (RBF) baseline.

    python -m ser_jax.main --config=configs/svm_handbuilt.py:corpus=ravdess,protocol=losgo \
        --workdir=runs/svm_handbuilt

Features: Per non-overlapping 512 ms chunk (librosa): RMS energy, 13 MFCC, zero-crossing
rate, 4 band energies (0-0.5, 0.5-1, 1-2, 2-8 kHz), 5 roll-offs (10, 25, 50,
75, 90 %), centroid, pitch (librosa.yin, frames within 30 dB of the loudest);
the utterance vector is their mean, std, min and max over chunks (104). Anand &
Verma's own numbers are chunk-level and not speaker independent.

Config arguments, the folds and the hyper-parameter search: see
`configs/common.py`.
"""

from configs.common import baseline_config


def get_config(arg=None):
    return baseline_config(arg, features="handbuilt")
