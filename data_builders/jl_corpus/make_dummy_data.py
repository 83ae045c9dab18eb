"""Writes the tiny fake JL-Corpus tree in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/jl_corpus/make_dummy_data.py``.
The layout is the Kaggle upload's: "Raw JL corpus (unchecked and
unannotated)/JL(wav+txt)/" with <speaker>_<emotion>_<NN><a|b>_<take>.wav
(44.1 kHz mono) and a .txt beside each. The clips are 0.2 s harmonic tones
(not speech); the .txt files hold placeholder sentences. The upload's partial
copy of the folder under a lower-case name ("raw jl corpus ...") is made by
the tests in a temporary folder instead: two folder names differing only in
case would break checkouts of this repository on case-insensitive file
systems.
"""

import pathlib

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"
SR = 44100
FOLDER = "Raw JL corpus (unchecked and unannotated)/JL(wav+txt)"

STEMS = [
    "female1_angry_10a_1",
    "female1_anxious_1b_2",  # Secondary emotion.
    "female2_excited_5a_1",
    "male1_neutral_15b_2",
    "male2_encouraging_3a_1",
]


def write(folder: pathlib.Path, seed: int, stem: str):
    testing.write_tone(folder / f"{stem}.wav", 0.2, SR, seed=seed)
    (folder / f"{stem}.txt").write_text(f"Placeholder sentence {seed + 1}.\n")


def main():
    for seed, stem in enumerate(STEMS):
        write(OUT / FOLDER, seed, stem)
    for path in sorted(OUT.rglob("*.wav")):
        print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
