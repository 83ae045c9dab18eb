"""Writes the tiny fake CREMA-D tree in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/cremad/make_dummy_data.py``.
The layout is the git-lfs clone's: AudioWAV/ (16 kHz mono WAV),
VideoDemographics.csv (the release's rows for the actors used) and
processedResults/summaryTable.csv (the release's columns and format; the vote
values are illustrative). The clips are
0.3 s harmonic tones (not speech). Quirks included: the pre-2022 name
1040_ITH_SAD_X.wav, the silent known-bad 1076_MTI_SAD_XX.wav (here 30 ms of
zeros, which the builder must skip: read, it would fail), a tie in the votes
("F:H") and a clip without a row in summaryTable.csv.
"""

import pathlib

import numpy as np
import soundfile as sf

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"
SR = 16000

CLIPS = [
    "1001_DFA_ANG_XX.wav",
    "1001_IEO_HAP_HI.wav",
    "1002_TIE_NEU_XX.wav",  # No row in summaryTable.csv.
    "1040_ITH_SAD_X.wav",  # Old name of 1040_ITH_SAD_XX.wav.
    "1076_ITH_NEU_XX.wav",
]
KNOWN_BAD = "1076_MTI_SAD_XX.wav"

DEMOGRAPHICS = """\
"ActorID","Age","Sex","Race","Ethnicity"
1001,51,"Male","Caucasian","Not Hispanic"
1002,21,"Female","Caucasian","Not Hispanic"
1040,42,"Male","Caucasian","Not Hispanic"
1076,25,"Female","Caucasian","Not Hispanic"
"""

SUMMARY_TABLE = """\
"","FileName","VoiceVote","VoiceLevel","FaceVote","FaceLevel","MultiModalVote","MultiModalLevel"
"1","1001_IEO_HAP_HI","F:H","54.75:61.00","H","79.25","H","77.5"
"2","1001_DFA_ANG_XX","A","47.33","A","41.8","A","41.5"
"3","1040_ITH_SAD_XX","S","51.6","N","56","S","80.14"
"4","1076_ITH_NEU_XX","N","76.88","N","73.38","N","74.3"
"5","1076_MTI_SAD_XX","N","59.38","N","77.2","N","65.62"
"""


def main():
    (OUT / "AudioWAV").mkdir(parents=True, exist_ok=True)
    (OUT / "processedResults").mkdir(parents=True, exist_ok=True)
    for seed, name in enumerate(CLIPS):
        testing.write_tone(OUT / "AudioWAV" / name, 0.3, SR, seed=seed)
    sf.write(
        OUT / "AudioWAV" / KNOWN_BAD, np.zeros(480, np.int16), SR, subtype="PCM_16"
    )
    (OUT / "VideoDemographics.csv").write_text(DEMOGRAPHICS)
    (OUT / "processedResults" / "summaryTable.csv").write_text(SUMMARY_TABLE)
    for path in sorted(OUT.rglob("*")):
        if path.is_file():
            print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
