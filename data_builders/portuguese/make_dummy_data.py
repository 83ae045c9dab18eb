"""Writes the tiny fake Castro & Lima (2010) set in dummy_data/ for the tests.

Run from anywhere: ``python data_builders/portuguese/make_dummy_data.py``.
The layout is the two supplementary archives' content, each in its own
folder: the stimulus .wav files (<item><s|p><A|B>_<emotion><n>.wav) and the
Appendix B file, whose name starts with a space as in the archives. The
appendices are tab-separated, with title lines above a header row; only the
columns the builder reads are reproduced ("Stimulus " with its trailing
space, "Content", "Intensity (1-7)"; the first column is a row number), and
the values are illustrative. The clips are 0.2 s harmonic tones (not speech)
at 44.1 kHz (the corpus's own rate is not stated in the sources at hand).
"""

import pathlib

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"
SR = 44100

# folder -> (appendix name, [(stimulus, content code, intensity)])
SETS = {
    "Castro-BRM-2010 Sents": (
        " Castro_2010_AppxB_Sents.txt",
        [
            ("12sA_angry3", "oQuadro", "5,6"),
            ("3sB_neutral1", "aTerra", "4.9"),
            ("7sA_surprise2", "eleChega", "5.2"),
        ],
    ),
    "Castro-BRM-2010 Pseudosents": (
        " Castro_2010_AppxB_Pseudosents.txt",
        [
            ("12pA_fear1", "oJuadre", "4.4"),
            ("5pB_happy2", "oLao", "5.8"),
        ],
    ),
}
# A stimulus with no row in its appendix.
UNLISTED = ("Castro-BRM-2010 Pseudosents", "9pB_sad1")


def write_tone(path: pathlib.Path, seed: int) -> None:
    """A stimulus's 0.2 s clip (f0 of 180-260 Hz)."""
    testing.write_tone(path, 0.2, SR, seed=seed, f0_range=(180, 260))


def main():
    seed = 0
    for folder, (appendix, rows) in SETS.items():
        (OUT / folder).mkdir(parents=True, exist_ok=True)
        lines = [
            "Appendix B (placeholder title line)",
            "",
            "Stimuli of the validated set (placeholder)",
            "",
            "",
            "\tStimulus \tContent\tIntensity (1-7)",
        ]
        for n, (stimulus, code, intensity) in enumerate(rows, start=1):
            write_tone(OUT / folder / f"{stimulus}.wav", seed)
            seed += 1
            lines.append(f"{n}\t{stimulus}\t{code}\t{intensity}")
        (OUT / folder / appendix).write_text("\r\n".join(lines) + "\r\n")
    folder, stimulus = UNLISTED
    write_tone(OUT / folder / f"{stimulus}.wav", seed)
    for path in sorted(OUT.rglob("*")):
        if path.is_file():
            print(repr(str(path)), path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
