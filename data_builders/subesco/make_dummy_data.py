"""Writes the tiny fake SUBESCO tree in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/subesco/make_dummy_data.py``.

Layout: one folder (``SUBESCO/``) of clips named
``{sex}_{serial}_{NAME}_S_{sentence}_{EMOTION}_{take}.wav``, every emotion
once at least. The clips are 0.2 s harmonic tones (not speech), 16-bit mono,
at 44.1 kHz or 48 kHz as in the release (EmoBox's metadata lists speakers
01-05 at 44.1 kHz and 06-10 at 48 kHz). Quirks shown: the mixed rates, the
serial number 02 of a female and of a male speaker (two people), two-digit
sentence numbers (S_10).
"""

import pathlib

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data" / "SUBESCO"

# (file name, sample rate)
FILES = [
    ("F_01_OISHI_S_10_HAPPY_4.wav", 44100),
    ("F_02_MONIKA_S_1_NEUTRAL_5.wav", 44100),
    ("F_06_SIMI_S_9_SAD_3.wav", 48000),
    ("M_01_BASHIR_S_6_SURPRISE_4.wav", 44100),
    ("M_02_NIPUN_S_6_SAD_1.wav", 44100),
    ("M_09_SHUMANTA_S_2_FEAR_2.wav", 48000),
    ("M_09_SHUMANTA_S_4_ANGRY_3.wav", 48000),
    ("M_10_EVAN_S_8_DISGUST_2.wav", 48000),
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for seed, (name, sr) in enumerate(FILES):
        path = testing.write_tone(OUT / name, 0.2, sr, seed=seed)
        print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
