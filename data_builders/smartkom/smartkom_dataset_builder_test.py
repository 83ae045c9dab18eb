"""Tests of the smartkom builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import tensorflow_datasets as tfds
from etils import epath

from data_builders import testing
from data_builders.builder_utils import ManualDirError
from data_builders.smartkom import smartkom_dataset_builder as smartkom

DUMMY = Path(__file__).resolve().parent / "dummy_data"
PUBLIC = DUMMY / "SK-Public"


class SmartkomTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = smartkom.Builder
    # ABC: 2 turns of w001_pk + 1 of w003_pk (its second turn has no USH
    # label); DEF: 1 turn; w004_pk has no audio.
    SPLITS = {"speaker_ABC": 3, "speaker_DEF": 1}


def _write_par(path, tiers, header="SAM: 16000\n"):
    path.write_text("LHD: Partitur 1.3.9\n" + header + "LBD:\n" + tiers)


def test_ush_labels():
    assert smartkom.ush_label("Neutral", "x") == "neutral"
    assert smartkom.ush_label('"Arger/Miserfolg"', "x") == "ärger/misserfolg"
    assert smartkom.ush_label("Ärger/Mißerfolg", "x") == "ärger/misserfolg"
    assert smartkom.ush_label("Uberlegen_Nachdenken", "x") == "überlegen/nachdenken"
    assert smartkom.ush_label("Ueberraschung/Verwunderung", "x") == (
        "überraschung/verwunderung"
    )
    with pytest.raises(ValueError, match="w.par, line 3: unknown USH label 'Wut'"):
        smartkom.ush_label("Wut", "w.par, line 3")


def test_majority_state():
    states = [(0, 8000, "neutral"), (8000, 16000, "freude/erfolg")]
    assert smartkom.majority_state(6000, 12000, states) == "freude/erfolg"
    assert smartkom.majority_state(100, 200, states) == "neutral"
    # A tie goes to the label that starts first.
    assert smartkom.majority_state(7000, 9000, states) == "neutral"
    assert smartkom.majority_state(16000, 17000, states) is None


def test_read_par(tmp_path):
    path = tmp_path / "w9_pk_XYZ.par"
    _write_par(
        path,
        "ORT: 0 ja\nORT: 1 gut\nTRN: 100 99 0,1 w9_pk_XYZ_000\n"
        "USH: 0 999 Neutral extra fields\n",
        header="SAM: 8000\n",
    )
    par = smartkom.read_par(epath.Path(path))
    assert par.rate == 8000
    assert par.words == {0: "ja", 1: "gut"}
    assert par.turns == [(100, 200, [0, 1], "w9_pk_XYZ_000")]
    assert par.states == [(0, 1000, "neutral")]
    _write_par(path, "TRN: 100 x 0 t\n")
    with pytest.raises(ValueError, match="line 4: malformed TRN line"):
        smartkom.read_par(epath.Path(path))


def test_turns_and_labels(tmp_path):
    builder = testing.build(smartkom.Builder, DUMMY, tmp_path / "data")
    examples = testing.examples_by(builder, "turn_id", keep_audio=True)
    assert set(examples) == {
        "w001_pk_ABC_000",
        "w001_pk_ABC_001",
        "w002_pk_DEF_000",
        "w003_pk_ABC_000",
    }
    ex = examples["w001_pk_ABC_001"]
    # Overlaps Neutral by 2000 samples, Arger/Miserfolg by 4000.
    assert ex["emotion"] == "ärger/misserfolg"
    assert ex["file_name"] == "SK-Public/w001_pk/w001_pkd.wav"
    assert ex["transcript"] == "nein <Geräusch> falsch"
    assert ex["gender"] == -1
    assert ex["start_time"] == pytest.approx(0.375)
    assert ex["end_time"] == pytest.approx(0.75)
    assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (6000,)
    # The turn's samples are the session audio's.
    session = sf.read(PUBLIC / "w001_pk/w001_pkd.wav", dtype="int16")[0]
    np.testing.assert_array_equal(ex["audio"], session[6000:12000])
    latin1 = examples["w003_pk_ABC_000"]
    assert latin1["transcript"] == "äh wo ist das"
    assert latin1["emotion"] == "überlegen/nachdenken"


def test_several_channels_prefer_d(tmp_path, caplog):
    session = tmp_path / "w001_pk"
    shutil.copytree(PUBLIC / "w001_pk", session)
    shutil.copy(session / "w001_pkd.wav", session / "w001_pka.wav")
    wav, par = smartkom.session_files(epath.Path(session))
    assert wav.name == "w001_pkd.wav" and par.name == "w001_pk_ABC.par"
    assert "2 channels" in caplog.text
    (session / "w001_pkd.wav").unlink()
    wav, _ = smartkom.session_files(epath.Path(session))
    assert wav.name == "w001_pka.wav"


def test_resampled_session_audio(tmp_path):
    # A session stored at 48 kHz: turns are cut at the same times.
    manual = testing.copy_tree(DUMMY, tmp_path)
    wav = manual / "SK-Public/w002_pk/w002_pkd.wav"
    sf.write(wav, np.zeros(48000, np.int16) + 1000, 48000, subtype="PCM_16")
    builder = testing.build(smartkom.Builder, manual, tmp_path / "data")
    [ex] = testing.examples(builder, "speaker_DEF")
    assert ex["num_samples"] == 6400  # 0.2-0.6 s at 16 kHz


def test_turn_beyond_the_audio_names_the_file(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    wav = manual / "SK-Public/w002_pk/w002_pkd.wav"
    sf.write(wav, np.zeros(3000, np.int16), 16000, subtype="PCM_16")  # < 0.2 s
    testing.assert_build_fails_naming(
        smartkom.Builder, manual, tmp_path / "data", wav, match="turn w002_pk_DEF_000"
    )


def test_unknown_ush_label_stops_the_build(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    par = manual / "SK-Public/w002_pk/w002_pk_DEF.par"
    par.write_text(par.read_text().replace("Freude/Erfolg", "Langeweile"))
    with pytest.raises(ValueError, match="unknown USH label 'Langeweile'"):
        testing.build(smartkom.Builder, manual, tmp_path / "data")


def test_undecodable_audio_names_the_file(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    wav = manual / "SK-Public/w002_pk/w002_pkd.wav"
    wav.write_text("not audio\n" * 20)
    testing.assert_build_fails_naming(
        smartkom.Builder, manual, tmp_path / "data", wav, match="cannot decode"
    )


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        smartkom.Builder, tmp_path, "SK-Public/"
    )


def test_no_manual_dir_is_an_error(tmp_path):
    testing.assert_no_manual_dir_fails(
        smartkom.Builder, tmp_path, "cannot be downloaded automatically"
    )


def test_manual_dir_without_the_release(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(PUBLIC, manual / "SK-Home")
    with pytest.raises(ManualDirError, match="No SK-Public/ folder"):
        testing.build(smartkom.Builder, manual, tmp_path / "data")


if __name__ == "__main__":
    tfds.testing.test_main()
