"""Writes the tiny fake CaFE tree in dummy_data/ used by the builder test.

Run from anywhere: ``python data_builders/cafe/make_dummy_data.py``.

Layout of the two releases of Zenodo record 1478765, as extracted from their
zips:

* ``CaFE_48k/<Émotion>/<Faible|Fort>/AA-E-I-S.wav``, 48 kHz WAV (16-bit mono
  assumed here), neutral in ``Neutre/`` without an intensity folder and named
  ``AA-N-1-S``;
* ``CaFE_192k_2/...`` (part 2 of the 192 kHz release, actors 07-12), 192 kHz
  24-bit AIFF, neutral named ``AA-N-S``.

The clips are harmonic tones (not speech): 0.2 s for the WAV files, 0.11 s
for the AIFF file (192 kHz x 24 bit is 576 KB per second; the tree must stay
well under 300 KB). The Readme.txt beside them is the release's file-naming
section, abridged.
"""

import pathlib

import numpy as np
import soundfile as sf

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"

# (relative path, sample rate, subtype, seconds)
FILES = [
    ("CaFE_48k/Colère/Faible/01-C-1-1.wav", 48000, "PCM_16", 0.2),
    ("CaFE_48k/Colère/Fort/02-C-2-3.wav", 48000, "PCM_16", 0.2),
    ("CaFE_48k/Dégoût/Fort/01-D-2-6.wav", 48000, "PCM_16", 0.2),
    ("CaFE_48k/Neutre/02-N-1-5.wav", 48000, "PCM_16", 0.2),
    ("CaFE_192k_2/Neutre/07-N-2.aiff", 192000, "PCM_24", 0.11),
]

README = """\
Document description : This document contains all the information about
the Canadian French Emotionnal (CaFE) speech database (dummy copy, abridged).

------------------ File naming method ------------------

AA-E-I-S.wav

First field AA (two numeric characters): Actor number
Odd : Man
Even : Woman

Second field E (one alphabetic character): Emotion
\tC = Colère\t\t(Anger)
\tD = Dégoût\t\t(Disgust)
\tJ = Joie\t\t(Happiness)
\tN = Neutre\t\t(Neutral)
\tP = Peur\t\t(Fear)
\tS = Surprise\t\t(Surprise)
\tT = Tristesse\t\t(Sadness)

Third field I (one numeric character): Intensity level of the emotion
\t1 - Faible (Low intensity)
\t2 - Fort (High intensity)

Fourth field (one numeric character): Sentence number
"""


def main():
    for seed, (rel, sr, subtype, seconds) in enumerate(FILES):
        path = OUT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        # As float: libsndfile writes it as 16- or 24-bit PCM.
        audio = testing.tone(seconds, sr, seed=seed).astype(np.float32)
        sf.write(path, audio, sr, subtype=subtype)
        print(path, path.stat().st_size, "bytes")
    for release in ("CaFE_48k", "CaFE_192k_2"):
        (OUT / release / "Readme.txt").write_text(README, encoding="utf-8")


if __name__ == "__main__":
    main()
