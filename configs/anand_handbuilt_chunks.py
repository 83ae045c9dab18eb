"""Anand & Verma's 26 hand-built features per 512 ms chunk, classified per chunk.

    python -m ser_jax.main --config=configs/anand_handbuilt_chunks.py:corpus=emodb,classifier=svm_rbf \
        --workdir=runs/anand_handbuilt_svm

The report's baselines (Table 1: SVM 23.7 %, softmax 21.2 %, 2-layer net
27.3 %, 3-layer net 25.5 %, accuracy per chunk on a random split of chunks,
not speaker independent): `classifier=svm_rbf` (SVM, RBF kernel),
`logreg` (softmax regression), `mlp` (2-layer fully connected net: one
hidden layer), `mlp_2hidden` (3-layer: two hidden layers). Each 512 ms chunk
is one example with its utterance's label (`config.chunk_level`); an
utterance's decision is the mean of its chunks' posteriors (the SVM's: of
its one-vs-rest decision values); results report both levels. The features
are `configs/svm_handbuilt.py`'s per chunk (RMS energy, 13 MFCC,
zero-crossing rate, 4 band energies, 5 roll-offs, centroid, pitch), without
its utterance statistics.

The report's data cleaning (removing mislabelled examples, replacing
outliers with a median), off by default:
`--config.cleaning.outlier_mads=3 --config.cleaning.mislabelled_below=0.05`
(what each does exactly: `ser_jax/baselines/cleaning.py`).

Other arguments (`corpus`, `protocol`, `standardization`) and the grid
search: `configs/common.py`.
"""

import ml_collections

from configs.common import baseline_config


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config = baseline_config(arg, features="handbuilt")
    config.chunk_level = True
    return config
