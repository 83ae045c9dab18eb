"""Anand & Verma's Table 3: naive Bayes, softmax, LDA, QDA and GMM on R1's class scores.

    python -m ser_jax.main --config=configs/anand_score_classifiers.py:corpus=emodb \
        --workdir=runs/anand_table3

Arguments as `configs/anand_r1.py` (`corpus`, `protocol`). Per fold, R1 is
trained as `configs/anand_r1.py` trains it (`fold_XX/r1/`); its best
checkpoint scores every chunk; five classifiers (scikit-learn) are fitted on
the training speakers' chunk scores (log posteriors) and labels, and score
the test chunks; an utterance's posterior is the mean over its chunks'
(`config.method = "ensemble"`, `ser_jax/methods/ensemble.py`). The first
combiner, `mean`, is R1 alone (the report's "R1 ensemble over time",
39.2 %), the reference the others are read against (report: 38.6-39.6 %,
per chunk on a random split of chunks, not speaker independent).

Choices the report leaves open: uniform class priors, the GMM two
full-covariance components per class (`--config.ensemble.gmm_components`),
QDA regularised by 1e-3. `--config.ensemble.fit_on=val` fits them on the
validation speakers' scores instead (chunks R1 never trained on). R1's
scores on its own training chunks are more confident than on new speakers,
so the classifiers learn from scores unlike the test's: the report fitted
on its training split too.
"""

import ml_collections

from configs.anand_er2 import anand_ensemble


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    return anand_ensemble(
        arg, ("R1",), ("mean", "naive_bayes", "softmax", "lda", "qda", "gmm")
    )
