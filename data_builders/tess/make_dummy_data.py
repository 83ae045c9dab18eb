"""Writes the tiny fake TESS set in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/tess/make_dummy_data.py``.
The layout is the Dataverse download's: flat {OAF,YAF}_<word>_<emotion>.wav
files, 24414 Hz mono, one file at 96 kHz and the misnamed
OA_bite_neutral.wav, as in the release. The clips are
0.2 s harmonic tones (not speech). The tests derive the per-emotion-folder
re-packagings from it.
"""

import pathlib

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"

# (file name, sample rate)
FILES = [
    ("OAF_back_angry.wav", 24414),
    ("OAF_bite_ps.wav", 24414),  # ps = pleasant surprise.
    ("OAF_chair_neutral.wav", 24414),
    ("OA_bite_neutral.wav", 24414),  # Misnamed in the release: OAF.
    ("YAF_dog_fear.wav", 96000),  # The release has one 96 kHz file.
    ("YAF_germ_sad.wav", 24414),
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for seed, (name, sr) in enumerate(FILES):
        testing.write_tone(OUT / name, 0.2, sr, seed=seed, f0_range=(180, 260))
        print(OUT / name, (OUT / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
