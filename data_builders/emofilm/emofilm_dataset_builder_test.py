"""Tests of the emofilm builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds
from etils import epath

from data_builders import testing
from data_builders.builder_utils import ManualDirError
from data_builders.emofilm import emofilm_dataset_builder as emofilm
from data_builders.emofilm import make_dummy_data

DUMMY = Path(__file__).resolve().parent / "dummy_data"
ROOT = DUMMY / "EmoFilm"


class EmofilmTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = emofilm.Builder
    SPLITS = {
        "speaker_constantino_romero": 2,  # "constantino romero+6" merged
        "speaker_maria_pia_di_meo": 1,
        "speaker_meryl_streep": 1,
        "speaker_robert_duvall": 2,  # "robert duval" merged
        "speaker_rosa_guinon": 1,
        "speaker_unknown_crash_it_f": 2,  # "???" in two clips of one film
    }


def test_parse_file_name():
    assert emofilm.parse_file_name("f_dis008ait.wav") == {
        "emotion": "contempt",  # dis = disprezzo
        "gender": "female",
        "language": "it",
        "line_id": "f_dis008a",
    }
    assert emofilm.parse_file_name("m_ans013aen_16k.wav")["emotion"] == "fear"
    for name in ("f_ans001afr.wav", "x_ans001aen.wav", "f_ans01aen.wav", "a.wav"):
        with pytest.raises(ValueError, match="not an EmoFilm file name"):
            emofilm.parse_file_name(name)
    with pytest.raises(ValueError, match="unknown EmoFilm emotion code 'sor'"):
        emofilm.parse_file_name("f_sor001aen.wav")


def test_slug():
    assert emofilm.slug("Maria Pia Di Meo") == "maria_pia_di_meo"
    assert emofilm.slug("rosa guiñón") == "rosa_guinon"
    assert emofilm.slug("domitilla d’amico") == "domitilla_d_amico"
    assert emofilm.slug("camilo garcía") == emofilm.slug("camilo garcia")


def test_read_xlsx_inline_strings_and_gaps(tmp_path):
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>File</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t> Speaker </t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>m_rab002aen</t></is></c>'
        '<c r="B2"><v>7</v></c>'
        '<c r="C2" t="inlineStr"><is><t>stephen dillane</t></is></c></row>'
        '<row r="3"></row>'
        "</sheetData></worksheet>"
    )
    path = tmp_path / "legend.xlsx"
    make_dummy_data.write_xlsx(path, {"male": []})
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    assert emofilm.read_xlsx(epath.Path(path)) == {
        "male": [{"file": "m_rab002aen", "speaker": "stephen dillane"}]
    }
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(ValueError, match="not a readable .xlsx"):
        emofilm.read_xlsx(epath.Path(bad))


def test_legend_fixes_and_unknown_speakers():
    entries = emofilm.legend_entries(epath.Path(ROOT / emofilm.LEGEND))
    assert entries["m_tri011aes"] == {
        "speaker_name": "constantino romero+6",
        "speaker": "constantino_romero",
        "film": "million dollar baby",
    }
    assert entries["m_tri011bes"]["film"] == "million dollar baby"  # "dolar"
    assert entries["m_rab064aen"]["speaker"] == "robert_duvall"  # "duval"
    assert entries["m_gio140aen"]["film"] == "falling down"  # lower case
    assert entries["f_dis027ait"]["speaker"] == "unknown_crash_it_f"
    assert entries["f_dis028ait"]["speaker"] == "unknown_crash_it_f"


def test_built_examples(tmp_path):
    builder = testing.build(emofilm.Builder, DUMMY, tmp_path / "data")
    assert builder.info.features["emotion"].names == [
        "fear",
        "contempt",
        "happiness",
        "anger",
        "sadness",
    ]
    examples = testing.examples_by(builder, keep_audio=True)
    ex = examples["wav_corpus/f_ans001aes.wav"]
    assert ex["speaker"] == "rosa_guinon"
    assert ex["speaker_name"] == "rosa guiñón"
    assert ex["film"] == "the hours"
    assert ex["line_id"] == "f_ans001a"
    assert ex["language"] == "es"
    assert ex["gender"] == "female"
    assert ex["emotion"] == "fear"
    # 0.2 s at 44.1 kHz -> 3200 samples at 16 kHz.
    assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (3200,)


def test_resampled_copies_and_unlisted_clips(tmp_path, caplog):
    manual = testing.copy_tree(DUMMY, tmp_path)
    wavs = manual / "EmoFilm/wav_corpus"
    # nkululeko's 16 kHz copy beside the original: the original is kept.
    shutil.copy(wavs / "f_ans001aen.wav", wavs / "f_ans001aen_16k.wav")
    # A clip the legend does not list.
    shutil.copy(wavs / "f_ans001aen.wav", wavs / "f_gio999ait.wav")
    listing = emofilm.list_files(epath.Path(manual / "EmoFilm"))
    assert [rel for rel, _ in listing["meryl_streep"]] == ["wav_corpus/f_ans001aen.wav"]
    [(rel, labels)] = listing["unlisted_it_f"]
    assert rel == "wav_corpus/f_gio999ait.wav"
    assert labels["emotion"] == "happiness" and labels["film"] == ""
    assert "1 clips are not in" in caplog.text


def test_zip_in_manual_dir(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    testing.zip_tree(DUMMY, manual / "EmoFilm_corpus.zip")
    builder = testing.build(emofilm.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 9


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        emofilm.Builder, tmp_path, emofilm.LEGEND
    )


def test_no_manual_dir_is_an_error(tmp_path):
    testing.assert_no_manual_dir_fails(
        emofilm.Builder, tmp_path, "cannot be downloaded automatically"
    )


def test_clips_without_legend(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(ROOT / "wav_corpus", manual / "wav_corpus")
    with pytest.raises(ManualDirError, match="No f_m_corpus_it_es_en_legend.xlsx"):
        testing.build(emofilm.Builder, manual, tmp_path / "data")


def test_undecodable_clip_names_the_file(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "EmoFilm/wav_corpus/m_tri011bes.wav"
    bad.write_bytes(b"")
    testing.assert_build_fails_naming(emofilm.Builder, manual, tmp_path / "data", bad)


def test_misnamed_clip_stops_the_build(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    shutil.copy(
        manual / "EmoFilm/wav_corpus/m_tri011bes.wav",
        manual / "EmoFilm/wav_corpus/m_tri011bes (copy).wav",
    )
    with pytest.raises(ValueError, match=r"\(copy\).wav: not an EmoFilm file name"):
        testing.build(emofilm.Builder, manual, tmp_path / "data")


if __name__ == "__main__":
    tfds.testing.test_main()
