"""Writes the tiny fake EMOVO tree in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/emovo/make_dummy_data.py``.

Layout as EMOVO.zip extracts: ``EMOVO/<speaker>/<emo>-<speaker>-<sentence>.wav``
with the speaker folders f1 f2 f3 m1 m2 m3 (five of them here), every
emotion code and every sentence type (b, l, n, d) once at least. The clips
are 0.2 s harmonic tones (not speech), 16-bit mono at 48 kHz like the corpus.
"""

import pathlib

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"
SAMPLE_RATE = 48000

FILES = [
    "f1/dis-f1-b1.wav",
    "f1/gio-f1-n5.wav",
    "f2/neu-f2-d2.wav",
    "m1/pau-m1-l4.wav",
    "m2/sor-m2-l1.wav",
    "m3/rab-m3-b3.wav",
    "m3/tri-m3-n1.wav",
]


def main():
    for seed, rel in enumerate(FILES):
        path = testing.write_tone(OUT / "EMOVO" / rel, 0.2, SAMPLE_RATE, seed=seed)
        print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
