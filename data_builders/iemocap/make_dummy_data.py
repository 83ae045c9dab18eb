"""Writes the tiny fake IEMOCAP tree in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/iemocap/make_dummy_data.py``.

The layout is that of the extracted ``IEMOCAP_full_release.tar.gz``
(``IEMOCAP_full_release/SessionN/...`` beside the macOS ``._`` file the
archive carries), two sessions only. The label files follow the release's
formats: EmoEvaluation header lines ``[start - end]<TAB>UTT<TAB>code<TAB>[V,
A, D]`` each followed by rater lines (``C-E2:`` categories, ``A-E3:``
attributes), per-rater files in Categorical/ and Attribute/ (not read), and
transcriptions ``UTT [start-end]: text``. The quirks the builder handles are
in it: AppleDouble ``._*`` files beside the labels and wavs, a consensus
``xxx`` (no agreement), excited, other and the rare categories, scripted
dialogs whose marker actor differs from the speaker, an overlap line
(``..._FXX0``) in a transcription and a transcription in Windows-1252.
The clips are 0.2 s harmonic tones (not speech), 16 kHz mono 16-bit as the
release's utterance wavs.
"""

import pathlib
import shutil

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"
ROOT = OUT / "IEMOCAP_full_release"
SAMPLE_RATE = 16000

# The raters' words for each consensus code (C-E lines).
RATER_WORDS = {
    "neu": "Neutral",
    "hap": "Happiness",
    "exc": "Excited",
    "ang": "Anger",
    "sad": "Sadness",
    "fru": "Frustration",
    "sur": "Surprise",
    "fea": "Fear",
    "dis": "Disgust",
    "oth": "Other",
}

# dialog -> [(turn, code, [V, A, D], transcript)]; session from the name.
DIALOGS = {
    "Ses01F_impro01": [
        ("F000", "neu", (2.5, 2.5, 2.5), "Excuse me."),
        ("M000", "exc", (4.0, 3.5, 3.0), "Do you have your forms?"),
        ("F001", "xxx", (2.0, 3.0, 3.5), "Yeah."),
        ("M001", "fru", (2.0, 3.5, 3.5), "Let me see them."),
        ("F002", "hap", (4.5, 3.0, 3.0), "Is there a problem?"),
    ],
    # Marker actor M, but turns of both actors.
    "Ses01M_script01_1": [
        ("F000", "ang", (1.5, 4.0, 4.0), "You're not going anywhere."),
        ("M000", "sad", (1.5, 2.0, 2.0), "I know."),
        ("M001", "oth", (3.0, 3.0, 3.0), "Whatever you say."),
    ],
    "Ses02F_impro02": [
        ("F000", "sad", (1.0, 2.0, 1.5), "I don\u2019t want you to go."),
        ("M000", "neu", (3.0, 2.5, 3.0), "It's only a year."),
        ("M001", "dis", (1.5, 3.0, 3.5), "That's disgusting."),
    ],
    "Ses02M_script02_1": [
        ("F000", "sur", (3.5, 4.0, 3.0), "Oh! Really?"),
        ("M000", "ang", (1.5, 4.5, 4.5), "Get out."),
        ("F001", "fea", (1.5, 4.0, 1.5), "Please don't."),
    ],
}
CP1252_TRANSCRIPTS = {"Ses02F_impro02"}  # Written in Windows-1252, not UTF-8.
# AppleDouble resource-fork stub, as macOS tar leaves beside each file.
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(60)


def emo_evaluation(dialog: str, turns) -> str:
    lines = ["% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]", ""]
    start = 6.2901
    for turn, code, (v, a, d), _ in turns:
        utt = f"{dialog}_{turn}"
        lines.append(
            f"[{start:.4f} - {start + 1.9456:.4f}]\t{utt}\t{code}\t"
            f"[{v:.4f}, {a:.4f}, {d:.4f}]"
        )
        words = (
            ["Neutral", "Frustration", "Anger"]
            if code == "xxx"
            else [RATER_WORDS[code]] * 3
        )
        for rater, word in zip(("E2", "E3", "E4"), words, strict=True):
            lines.append(f"C-{rater}:\t{word};\t()")
        lines.append(f"C-{turn[0]}1:\t{words[0]};\t(self)")
        lines.append(f"A-E3:\tval {round(v)}; act {round(a)}; dom  {round(d)};\t()")
        lines.append(f"A-E4:\tval {round(v)}; act {round(a)}; dom  {round(d)};\t()")
        lines.append("")
        start += 3.7
    return "\n".join(lines) + "\n"


def transcription(dialog: str, turns) -> str:
    lines = []
    start = 6.2901
    for turn, _, _, text in turns:
        lines.append(f"{dialog}_{turn} [{start:08.4f}-{start + 1.9456:08.4f}]: {text}")
        start += 3.7
    # An overlap line: no utterance wav, no label.
    lines.append(f"{dialog}_FXX0 [{start:08.4f}-{start + 0.5:08.4f}]: [LAUGHTER]")
    return "\n".join(lines) + "\n"


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    ROOT.mkdir(parents=True)
    (OUT / "._IEMOCAP_full_release").write_bytes(APPLE_DOUBLE)
    seed = 0
    for dialog, turns in DIALOGS.items():
        session = ROOT / f"Session{int(dialog[3:5])}"
        evaluation = session / "dialog" / "EmoEvaluation"
        for sub in ("Categorical", "Attribute"):
            (evaluation / sub).mkdir(parents=True, exist_ok=True)
        (evaluation / f"{dialog}.txt").write_text(emo_evaluation(dialog, turns))
        (evaluation / f"._{dialog}.txt").write_bytes(APPLE_DOUBLE)
        # Per-rater files (another format, not read by the builder).
        (evaluation / "Categorical" / f"{dialog}_e2_cat.txt").write_text(
            "".join(
                f"{dialog}_{turn} :{RATER_WORDS.get(code, 'Neutral')};\t()\n"
                for turn, code, _, _ in turns
            )
        )
        (evaluation / "Attribute" / f"{dialog}_e3_atr.txt").write_text(
            "".join(
                f"{dialog}_{turn} :act 3; :val 3; :dom 3;\t()\n" for turn, *_ in turns
            )
        )
        transcripts = session / "dialog" / "transcriptions"
        transcripts.mkdir(parents=True, exist_ok=True)
        encoding = "cp1252" if dialog in CP1252_TRANSCRIPTS else "utf-8"
        (transcripts / f"{dialog}.txt").write_bytes(
            transcription(dialog, turns).encode(encoding)
        )
        (transcripts / f"._{dialog}.txt").write_bytes(APPLE_DOUBLE)
        wav_dir = session / "sentences" / "wav" / dialog
        wav_dir.mkdir(parents=True, exist_ok=True)
        for turn, *_ in turns:
            testing.write_tone(
                wav_dir / f"{dialog}_{turn}.wav", 0.2, SAMPLE_RATE, seed=seed
            )
            seed += 1
        (wav_dir / f"._{dialog}_{turns[0][0]}.wav").write_bytes(APPLE_DOUBLE)
    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"{OUT}: {total} bytes")


if __name__ == "__main__":
    main()
