"""Writes the tiny fake ShEMO tree in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/shemo/make_dummy_data.py``.

Layout as the distributors ship it once female.zip and male.zip are
extracted: ``female/F01A01.wav``, ``male/M21F01.wav`` and ``shemo.json``
(a JSON object keyed by utterance id with speaker_id, gender, emotion,
transcript and ipa). The clips are 0.2 s harmonic tones (not speech), mono
16-bit, at 44.1 kHz like the corpus, and one male clip at 22.05 kHz like
the 121 male clips of the release that have that rate. Quirks shown:

* ``F03F01``: F first (a female speaker) and F fourth (fear);
* ``F01`` and ``M01``: the same number, two different speakers;
* ``F01S23``: a clip without a transcript in shemo.json (as in the release,
  see https://github.com/mansourehk/ShEMO/issues/2), and a transcript
  (``F01N12``) without a clip;
* ``M46A03`` at 22.05 kHz.
"""

import json
import pathlib

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"

# (folder, utterance id, sample rate)
FILES = [
    ("female", "F01A01", 44100),
    ("female", "F01S23", 44100),  # No transcript in shemo.json.
    ("female", "F03F01", 44100),  # Female speaker 03, fear.
    ("male", "M01N01", 44100),  # Not the same speaker as F01.
    ("male", "M21F01", 44100),
    ("male", "M46A03", 22050),  # One of the 22.05 kHz male clips.
]
EMOTION_WORDS = {  # As shemo.json writes them.
    "A": "angry",
    "F": "fearful",
    "H": "happy",
    "N": "neutral",
    "S": "sad",
    "W": "surprised",
}


def metadata_entry(utt: str, index: int) -> dict:
    return {
        "speaker_id": utt[:3],
        "gender": "female" if utt[0] == "F" else "male",
        "emotion": EMOTION_WORDS[utt[3]],
        # Placeholder text ("sample sentence N"), not a corpus transcript.
        "transcript": f"\ufeffجمله نمونه {index}",
        "ipa": f"jomleye nemune {index}",
    }


def main():
    metadata = {}
    for seed, (folder, utt, sr) in enumerate(FILES):
        path = testing.write_tone(OUT / folder / f"{utt}.wav", 0.2, sr, seed=seed)
        print(path, path.stat().st_size, "bytes")
        if utt != "F01S23":
            metadata[utt] = metadata_entry(utt, seed)
    metadata["F01N12"] = metadata_entry("F01N12", 99)  # No clip.
    path = OUT / "shemo.json"
    path.write_text(json.dumps(metadata, indent=4) + "\n", encoding="utf-8")
    print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
