"""Satt et al. (2017) two-step predictor: 4-class CNN-LSTM, then neutral-vs-X conv models.

    python -m ser_jax.main --config=configs/satt_two_step.py:corpus=ravdess --workdir=runs/two_step

Arguments as `configs/cnn_lstm.py` (`corpus`, `protocol`). The paper's best
IEMOCAP result (62.0 % UA): run the 4-class model (anger, happiness, neutral,
sadness); if its top class is not neutral keep it, otherwise run three binary
conv-only models, neutral vs each other class, and pick the class with the
highest posterior (`ser_jax/two_step.py`). Per fold: the first stage is this
config's model (`configs/cnn_lstm.py`'s 3-conv + BiLSTM, `satt_cnn_lstm`) on
the four classes; `two_step.binary_model` is `configs/satt_cnn.py`'s 5-conv
model (`satt_cnn`), trained on the fold's neutral and X utterances only. Both
stages share front-end (10 Hz spectrogram), segmentation (3 s
sub-utterances), protocol, validation speakers and training fields (30
epochs, lr 1e-3, class weights, best epoch on validation UAR).

Choices the paper leaves open:
- "The class with the highest posterior" is read as the highest of the six
  posteriors of the three binary models: X wins with p(X) from neutral-vs-X,
  and neutral stays when some binary model is surer of neutral than any model
  is of its other class (`two_step.combine`, unit-tested). Not implemented:
  comparing only the three non-neutral posteriors (the second step could then
  never keep neutral) or pooling the three neutral posteriors (mean, product);
  `fold_XX/stage_posteriors.npz` keeps what another rule needs.
- The binary models' widths, kernels and pooling are `configs/satt_cnn.py`'s
  (the paper gives none); each is validated on the fold's validation speakers'
  neutral and X utterances (binary UAR picks its best epoch).
- The corpora's emotions are mapped onto the paper's four (`LABEL_MAPS`); the
  others are dropped, RAVDESS calm included (not merged with neutral). Another
  map: `--config.dataset.label_map=...` with `two_step.neutral` among its values.
- The decision is per utterance: each model's utterance posterior is the mean
  over its sub-utterances, as every neural run's utterance-level result.
"""

import ml_collections

from configs import cnn_lstm, satt_cnn

FOUR_CLASSES = ("anger", "happiness", "neutral", "sadness")
# Corpus (its TFDS name before any "/") -> its emotion names for the four classes.
LABEL_MAPS = {
    "ravdess": {
        "angry": "anger",
        "happy": "happiness",
        "neutral": "neutral",
        "sad": "sadness",
    },
    "emodb": {c: c for c in FOUR_CLASSES},
    "synthetic": {c: c for c in FOUR_CLASSES},
    "+": {c: c for c in FOUR_CLASSES},  # merged corpora (ser_jax/corpora.py)
}


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config = cnn_lstm.get_config(arg)
    config.method = "two_step"
    # Several corpora (`a+b`) are merged onto shared names: the four as they are.
    corpus = (
        "+" if "+" in config.dataset.corpus else config.dataset.corpus.split("/")[0]
    )
    if corpus not in LABEL_MAPS:
        raise ValueError(
            f"configs/satt_two_step.py has no four-class label map for {corpus!r}; "
            f"known: {sorted(LABEL_MAPS)}"
        )
    config.dataset.label_map = LABEL_MAPS[corpus]
    config.two_step = ml_collections.ConfigDict()
    config.two_step.neutral = "neutral"
    config.two_step.binary_model = satt_cnn.get_config(arg).model
    return config
