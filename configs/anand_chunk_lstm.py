"""Anand & Verma's LSTM over the sequence of an utterance's 512 ms chunks.

    python -m ser_jax.main --config=configs/anand_chunk_lstm.py:corpus=ravdess --workdir=runs/anand_lstm

Arguments as `configs/cnn_lstm.py` (`corpus`, `protocol`). The report ran an
LSTM over the chunks of whole utterances (eNTERFACE only: 70 % test
accuracy, not speaker independent) and says little more. Here each segment
(up to 6.144 s = 12 chunks, longer utterances split into equal
sub-utterances, as Satt's segmentation) reaches the model as raw audio
(`raw_waveform`); the model cuts it into 512 ms chunks (the incomplete last
one dropped), turns each into the 64 x 64 x 2 image of
`frontends.AnandSpectrogram`, runs the R1 chunk CNN (`chunk_variant`) up to
its 64-unit hidden layer on every chunk, and an LSTM of 128 over the valid
chunks; its last state, dropout 0.5, the class scores. Trained end to end,
Adam at 5e-4 (decoupled weight decay 1e-4), batch 32, 50 epochs (the report
trained 50), class weights inversely proportional to class size.

A chunked `anand_spectrogram` front-end giving `[chunks, 64, 64, 2]` per
segment would feed the same model (`AnandChunkLstm` accepts that shape too)
without computing the spectrogram inside it.
"""

import ml_collections

from configs import cnn_lstm


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config = cnn_lstm.get_config(arg)
    config.max_segment_seconds = 6.144  # 12 chunks of 512 ms
    config.segmentation = "equal"
    config.frontend = ml_collections.ConfigDict()
    config.frontend.name = "raw_waveform"
    config.frontend.frame_length = 0

    config.model = ml_collections.ConfigDict()
    config.model.name = "anand_chunk_lstm"
    config.model.chunk_variant = "R1"
    config.model.chunk_seconds = 0.512
    config.model.lstm_units = 128
    config.model.dropout_rate = 0.5

    config.num_epochs = 50
    config.batch_size = 32
    config.learning_rate = 5e-4
    return config
