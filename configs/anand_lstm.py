"""Anand & Verma's LSTM over the raw spectrograms of an utterance's 512 ms chunks.

    python -m ser_jax.main --config=configs/anand_lstm.py:corpus=ravdess --workdir=runs/anand_lstm

Arguments as `configs/cnn_lstm.py` (`corpus`, `protocol`). The report's LSTM
(eNTERFACE only, 1250 files: 70 % test, 87.5 % train accuracy after 50
epochs, not speaker independent) reads the sequence of an utterance's 512 ms
chunks. Here each segment (up to 6.144 s = 12 chunks; longer utterances split
into equal sub-utterances, as Satt's segmentation) reaches the model as raw
audio (`raw_waveform`); the model (`anand_lstm`, `models.anand.AnandLstm`)
cuts it into 512 ms chunks (the incomplete last one dropped), turns each into
the 64 x 64 x 2 image of `frontends.AnandSpectrogram` (the chunk CNNs' input),
and an LSTM reads the flattened images, one chunk per step; its last state,
dropout 0.5, the class scores. CNN features under the LSTM, the report's
future work: `configs/anand_cnn_lstm.py`.

Choices the report leaves open: 128 LSTM units (4.26 M parameters for 8
classes), Adam at 5e-4 (decoupled weight decay 1e-4) with warm-up and
cosine decay, batch 32, 50 epochs (the report's), class weights inversely
proportional to class size.
"""

import ml_collections

from configs import anand_cnn_lstm


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config = anand_cnn_lstm.get_config(arg)
    config.model = ml_collections.ConfigDict()
    config.model.name = "anand_lstm"
    config.model.chunk_seconds = 0.512
    config.model.lstm_units = 128
    config.model.dropout_rate = 0.5
    return config
