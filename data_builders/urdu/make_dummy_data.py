"""Writes the tiny fake URDU tree in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/urdu/make_dummy_data.py``.

Layout as the GitHub repository siddiquelatif/URDU-Dataset: the emotion
folders Angry/ Happy/ Neutral/ Sad/ with the clips directly in them, and a
README.md. The clips are 0.2 s harmonic tones (not speech), 16-bit mono at
44.1 kHz. Quirks shown: speaker codes with gaps (SM1, SM3, SM4, SM6: the
release has no SM8-SM16), one code in two emotion folders (SM3: one speaker,
one split), clip numbers 01 ... 0100, two-digit female code SF10.
"""

import pathlib

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"
SAMPLE_RATE = 44100

FILES = [
    "Angry/SM1_F1_A01.wav",
    "Angry/SM4_F48_A0100.wav",
    "Happy/SF1_F1_H01.wav",
    "Happy/SM3_F1_H053.wav",
    "Neutral/SM3_F1_N021.wav",
    "Sad/SF10_F1_S01.wav",
    "Sad/SM6_F4_S0100.wav",
]


def main():
    for seed, rel in enumerate(FILES):
        path = testing.write_tone(OUT / rel, 0.2, SAMPLE_RATE, seed=seed)
        print(path, path.stat().st_size, "bytes")
    (OUT / "README.md").write_text(
        "# URDU-Dataset\nPlaceholder for the repository's README (not used).\n"
    )


if __name__ == "__main__":
    main()
