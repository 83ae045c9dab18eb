"""Anand & Verma's future work: R1's CNN on each 512 ms chunk, an LSTM over the chunks.

    python -m ser_jax.main --config=configs/anand_cnn_lstm.py:corpus=ravdess --workdir=runs/anand_cnn_lstm

Arguments as `configs/cnn_lstm.py` (`corpus`, `protocol`). The report ran an
LSTM over the raw spectrograms of an utterance's chunks (`configs/anand_lstm.py`;
eNTERFACE only: 70 % test accuracy, not speaker independent) and lists CNN
features under the LSTM as future work: this config. Each segment
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
segment would feed the same model (`AnandCnnLstm` accepts that shape too)
without computing the spectrogram inside it. Formerly `configs/anand_chunk_lstm.py`
(model `anand_chunk_lstm`), which still names this config; its workdirs resume.
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
    config.model.name = "anand_cnn_lstm"
    config.model.chunk_variant = "R1"
    config.model.chunk_seconds = 0.512
    config.model.lstm_units = 128
    config.model.dropout_rate = 0.5

    config.num_epochs = 50
    config.batch_size = 32
    config.learning_rate = 5e-4
    return config
