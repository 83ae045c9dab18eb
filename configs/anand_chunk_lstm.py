"""Former name of `configs/anand_cnn_lstm.py` (R1's CNN per chunk under an LSTM).

Kept so that commands and workdirs made under this name still run and resume;
`configs.names()` skips it (`ALIAS_OF`), so tests do not run the config twice.
"""

from configs.anand_cnn_lstm import get_config  # noqa: F401

ALIAS_OF = "anand_cnn_lstm"
