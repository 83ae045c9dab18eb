"""Writes the tiny fake nEMO tree in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/nemo/make_dummy_data.py``.

Layout as the GitHub repository amu-cai/nEMO: ``data.tsv`` (tab-separated,
columns file_id, emotion, raw_text, normalized_text, speaker_id, gender, age;
``speaker_id`` padded with leading spaces as in the release) and
``samples/{speaker_id}_{emotion}_{sentence_id}.wav``. The clips are 0.2 s
harmonic tones (not speech), 16-bit mono at 24 kHz (the corpus's rate could
not be checked here; any rate is resampled). The texts are placeholders, one
of them with the „...” quotes some real texts have (e.g. „Ród smoka”).
"""

import pathlib

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"
SAMPLE_RATE = 24000
COLUMNS = [
    "file_id",
    "emotion",
    "raw_text",
    "normalized_text",
    "speaker_id",
    "gender",
    "age",
]

# (file_id, raw text, gender, age); placeholder Polish sentences.
ROWS = [
    ("EB0_anger_1.wav", "Zdanie numer jeden.", "female", 27),
    ("EB0_surprised_4.wav", "„Zdanie” numer cztery.", "female", 27),
    ("KD0_neutral_1.wav", "Zdanie numer jeden.", "female", 28),
    ("SM0_happiness_2.wav", "Zdanie numer dwa, z przecinkiem.", "male", 24),
    ("WR0_sadness_3.wav", "Zdanie numer trzy.", "male", 23),
    ("WR0_fear_2.wav", "Zdanie numer dwa, z przecinkiem.", "male", 23),
]


def normalize(text: str) -> str:
    return text.lower().replace(",", "").replace(".", "")


def main():
    (OUT / "samples").mkdir(parents=True, exist_ok=True)
    lines = ["\t".join(COLUMNS)]
    names = [row[0] for row in ROWS]
    for seed, name in enumerate(names):
        path = testing.write_tone(OUT / "samples" / name, 0.2, SAMPLE_RATE, seed=seed)
        print(path, path.stat().st_size, "bytes")
    for file_id, text, gender, age in ROWS:
        speaker, emotion, _ = file_id[: -len(".wav")].split("_")
        fields = [file_id, emotion, text, normalize(text), " " * 8 + speaker]
        lines.append("\t".join(fields + [gender, str(age)]))
    path = OUT / "data.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
