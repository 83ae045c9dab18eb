"""Writes dummy_data/: a small corpus with a label table, as a user's own would be.

Run from anywhere: ``python data_builders/own_corpus/make_dummy_data.py``.
Three speakers (two in a `gender` column, one without: the pattern test gives
its gender by `speaker_genders`), 0.2 s tones at 22.05 kHz, one stereo.
"""

import csv
import pathlib

import numpy as np
import soundfile as sf

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"

# path, speaker, emotion, gender, sentence
ROWS = [
    ("alice/alice_anger_1.wav", "alice", "anger", "F", "one"),
    ("alice/alice_neutral_1.wav", "alice", "neutral", "F", "two"),
    ("bob/bob_happiness_1.wav", "bob", "happiness", "m", "one"),
    ("bob/bob_sadness_1.wav", "bob", "sadness", "m", "two"),
    ("bob/bob_neutral_2.wav", "bob", "neutral", "m", "two"),
    ("carol/carol_anger_1.wav", "carol", "anger", "female", "one"),
]


def main():
    rng = np.random.default_rng(0)
    for i, (rel, *_) in enumerate(ROWS):
        path = OUT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        t = np.arange(int(22050 * 0.2)) / 22050
        x = 0.3 * np.sin(2 * np.pi * (120 + 20 * i) * t) + 0.01 * rng.standard_normal(
            len(t)
        )
        x = np.stack([x, x], axis=1) if i == 2 else x
        sf.write(path, x, 22050, subtype="PCM_16")
    with (OUT / "labels.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "speaker", "emotion", "gender", "sentence"])
        writer.writerows(ROWS)


if __name__ == "__main__":
    main()
