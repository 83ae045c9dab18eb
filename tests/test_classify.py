"""Classifying new recordings with a trained run: per file (bad files fail
alone, clearly), as a timeline of known segments, as a stream that equals the
file however it is chunked, and no emotion for silence."""

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from absl import flags

from data_builders import audio as audio_files
from data_builders.synthetic import synthetic_speech
from ser_jax import classify
from ser_jax.data.speech_activity import SpeechDetector
from ser_jax.methods import neural, scoring

SR = 16000
ROOT = Path(__file__).resolve().parents[1]
_RUN = {}


@pytest.fixture
def run(data_dir, tiny_config, tmp_path_factory):
    """A one-epoch tiny run with train_speakers statistics; once per module."""
    if not _RUN:
        workdir = tmp_path_factory.mktemp("classify") / "run"
        config = tiny_config(
            data_dir,
            num_epochs=1,
            feature_standardization="train_speakers",  # the classifier needs the stats
            class_balance="oversample",
        )
        _RUN["results"] = neural.train_and_evaluate(config, workdir)
        _RUN["workdir"] = workdir
        _RUN["classifier"] = classify.Classifier(workdir)
    return _RUN


def clips() -> dict[str, np.ndarray]:
    """One synthetic clip per emotion (speaker 00), float32 at 16 kHz."""
    return {
        c["emotion"]: np.asarray(c["audio"], np.float32)
        for c in synthetic_speech.generate_corpus(seed=7, utterances_per_emotion=1)
        if c["speaker"] == "00"
    }


def background(seconds: float, dbfs: float = -75.0, seed: int = 0) -> np.ndarray:
    """Room-tone: white noise at `dbfs`, well below the detector's -60 dBFS."""
    rng = np.random.default_rng(seed)
    n = round(seconds * SR)
    return (rng.standard_normal(n) * 10 ** (dbfs / 20)).astype(np.float32)


def known_recording() -> np.ndarray:
    """2 s of anger, 2 s of silence, 2 s of sadness (from where each clip's
    sound starts, by its amplitude), as float32."""
    parts = []
    for emotion in ("anger", "sadness"):
        clip = clips()[emotion]
        onset = int(np.flatnonzero(np.abs(clip) > 0.01)[0])
        parts.append(clip[onset : onset + 2 * SR])
        assert len(parts[-1]) == 2 * SR
    return np.concatenate([parts[0], background(2.0), parts[1]])


def test_classify_files_with_a_trained_run(run, tmp_path):
    classifier = run["classifier"]
    clip = next(synthetic_speech.generate_corpus(seed=7, utterances_per_emotion=1))
    good = tmp_path / "good_44k.wav"  # another sample rate: resampled to 16 kHz
    sf.write(
        good,
        np.interp(
            np.arange(0, len(clip["audio"]), 16000 / 44100),
            np.arange(len(clip["audio"])),
            clip["audio"],
        ),
        44100,
    )
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_text("not audio")
    short = tmp_path / "10ms.wav"
    sf.write(short, np.zeros(160, np.float32), 16000)
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, np.float32), 16000)

    assert (run["workdir"] / "fold_00" / "feature_stats.npz").exists()
    assert classifier.class_names == run["results"]["class_names"]
    scored, errors = classify.classify_files(
        classifier, [str(good), str(corrupt), str(short), str(empty)]
    )
    assert [p for p, _ in scored] == [str(good)]
    probs = scored[0][1]
    assert probs.shape == (7,) and np.isclose(probs.sum(), 1, atol=1e-5)
    assert [p for p, _ in errors] == [str(corrupt), str(short), str(empty)]
    for path, message in errors:
        assert path in message  # every error names its file

    # The same audio scores the same, whatever its sample rate was.
    direct = classifier.posteriors(np.asarray(clip["audio"], np.float32))
    np.testing.assert_allclose(direct, probs, atol=0.05)


def test_a_timeline_of_known_segments(run):
    classifier = run["classifier"]
    audio = known_recording()
    rows = classifier.timeline(audio)  # 1 s windows: the tiny model's segments
    assert [(r.start_s, r.end_s) for r in rows] == [(i, i + 1.0) for i in range(6)]
    assert [r.speech for r in rows] == [True, True, False, False, True, True]
    # Each speech window is scored on its own.
    pcm = audio_files.to_int16(audio)
    expected = classifier.score_windows(
        [pcm[i * SR : (i + 1) * SR] for i in (0, 1, 4, 5)]
    )
    got = np.stack([r.posteriors for r in rows if r.speech])
    np.testing.assert_allclose(got, expected, atol=1e-6)
    np.testing.assert_allclose(got.sum(-1), 1, atol=1e-5)
    # The file's one answer averages its speech segments only (the same 1 s
    # pieces here), not the silence.
    np.testing.assert_allclose(classifier.posteriors(audio), got.mean(0), atol=1e-5)

    # Half-second hops: the windows inside the silence [2, 4) have no speech.
    rows = classifier.timeline(audio, hop_seconds=0.5)
    assert [r.start_s for r in rows] == [0.5 * i for i in range(11)]
    silent = [r.start_s for r in rows if not r.speech]
    assert silent == [2.0, 2.5, 3.0]
    # Smoothing averages each window with the speech window before it.
    smooth = classifier.timeline(audio, hop_seconds=0.5, smoothing=2)
    np.testing.assert_allclose(
        smooth[1].posteriors, (rows[0].posteriors + rows[1].posteriors) / 2
    )
    np.testing.assert_allclose(
        smooth[7].posteriors, rows[7].posteriors
    )  # after silence


def test_windows_are_scored_in_full_batches_and_one_power_of_two(run, monkeypatch):
    """37 windows: rows of 32 then 8 (not 32 again), each window's posterior
    as when scored alone."""
    classifier = run["classifier"]
    models = classifier.scorer  # a neural run's: its folds' TrainedModels
    assert isinstance(models, scoring.TrainedModels)
    rows, predict = [], models._predict
    monkeypatch.setattr(
        models,
        "_predict",
        lambda state, b: rows.append(len(b["index"])) or predict(state, b),
    )
    pcm = audio_files.to_int16(np.concatenate([known_recording()] * 7)[: 37 * SR])
    windows = [pcm[i * SR : (i + 1) * SR] for i in range(37)]
    together = classifier.score_windows(windows)
    assert rows == [32, 8] * len(models.states)
    alone = np.concatenate([classifier.score_windows([w]) for w in windows[30:]])
    np.testing.assert_allclose(together[30:], alone, atol=1e-5)


def test_a_stream_in_irregular_chunks_equals_the_file(run):
    classifier = run["classifier"]
    audio = known_recording()
    pcm = audio_files.to_int16(audio)
    expected = classifier.timeline(audio, hop_seconds=0.5, smoothing=2)
    rng = np.random.default_rng(1)
    data, parts, at = pcm.tobytes(), [], 0
    while at < len(data):
        size = int(rng.integers(1, 9000))  # odd sizes split samples
        parts.append(data[at : at + size])
        at += size
    floats = np.array_split(audio, [5, 6, 16001, 40000])
    for chunks in (parts, floats):
        got = list(classifier.stream(iter(chunks), hop_seconds=0.5, smoothing=2))
        assert [(r.start_s, r.end_s, r.speech) for r in got] == [
            (r.start_s, r.end_s, r.speech) for r in expected
        ]
        for a, b in zip(got, expected, strict=True):
            if a.speech:
                np.testing.assert_allclose(a.posteriors, b.posteriors, atol=1e-5)
            assert a.latency_s >= 0


def test_silence_is_no_speech_everywhere(run, tmp_path):
    classifier = run["classifier"]
    path = tmp_path / "silence.wav"
    sf.write(path, background(3.0), SR)
    with pytest.raises(classify.NoSpeechError, match=f"{path}: no speech"):
        classifier.classify_file(path)
    assert classify.classify_files(classifier, [str(path)]) == ([(str(path), None)], [])
    assert not any(r.speech for r in classifier.timeline(path))
    # With detection off, silence gets an emotion, as before.
    deaf = classify.Classifier(run["workdir"], detector=None)
    assert deaf.classify_file(path).shape == (7,)


# ----------------------------------------------------------------------------
# The command line, in this process (the flags parsed as the CLI does).


class Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def cli(capsys, monkeypatch, *args, stdin=b""):
    monkeypatch.setattr(sys, "stdin", Stdin(stdin) if stdin is not None else None)
    flags.FLAGS.unparse_flags()
    try:
        # In process, the session's compilation cache (conftest) stays as it is.
        argv = flags.FLAGS(["classify", "--compilation_cache=", *args])
        status = classify.main(argv)
    finally:
        flags.FLAGS.unparse_flags()
    out = capsys.readouterr()
    return status, out.out, out.err


def wav_bytes(audio: np.ndarray, rate: int = SR) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, audio, rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def test_cli_files_and_timelines(run, tmp_path, capsys, monkeypatch):
    workdir = f"--workdir={run['workdir']}"
    speech, silence = tmp_path / "known.wav", tmp_path / "silence.wav"
    sf.write(speech, known_recording(), SR, subtype="PCM_16")
    sf.write(silence, background(2.0), SR, subtype="PCM_16")

    status, out, _ = cli(capsys, monkeypatch, workdir, str(speech))
    assert status == 0 and f"{speech}\t" in out
    status, out, _ = cli(
        capsys,
        monkeypatch,
        workdir,
        f"--output={tmp_path}/f.json",
        str(speech),
        str(silence),
    )
    assert status == classify.EXIT_NO_SPEECH
    assert f"{silence}\tno speech" in out
    files = json.loads((tmp_path / "f.json").read_text())["files"]
    assert [f["prediction"] == "no speech" for f in files] == [False, True]

    status, out, _ = cli(
        capsys,
        monkeypatch,
        workdir,
        "--timeline",
        "--hop_seconds=0.5",
        f"--output={tmp_path}/t.json",
        f"--plot={tmp_path}/t.png",
        str(speech),
        str(silence),
    )
    assert status == classify.EXIT_NO_SPEECH  # one file is all silence
    assert out.count("no speech") == 3 + 1
    assert f"{silence}\tno speech" in out
    data = json.loads((tmp_path / "t.json").read_text())
    assert data["hop_seconds"] == 0.5 and data["segment_seconds"] == 1.0
    assert data["speech_detector"]["threshold_db"] == -60.0
    known, quiet = data["recordings"]
    expected = run["classifier"].timeline(speech, hop_seconds=0.5)
    assert [s["start_s"] for s in known["segments"]] == [r.start_s for r in expected]
    assert [s["speech"] for s in known["segments"]] == [r.speech for r in expected]
    assert quiet["speech"] is False
    assert (tmp_path / "t-known.png").stat().st_size > 0
    assert (tmp_path / "t-silence.png").stat().st_size > 0

    status, _, _ = cli(
        capsys,
        monkeypatch,
        workdir,
        "--timeline",
        f"--output={tmp_path}/t.csv",
        str(speech),
    )
    assert status == 0
    rows = (tmp_path / "t.csv").read_text().splitlines()
    assert rows[0].startswith("source,start_s,end_s,speech,prediction,p_")
    assert len(rows) == 1 + 6


def test_cli_streams(run, tmp_path, capsys, monkeypatch):
    workdir = f"--workdir={run['workdir']}"
    audio = known_recording()
    expected = run["classifier"].timeline(audio)
    status, out, err = cli(
        capsys,
        monkeypatch,
        workdir,
        "--stream=-",
        "--verbose",
        f"--output={tmp_path}/s.json",
        stdin=wav_bytes(audio),
    )
    assert status == 0, err
    lines = [line for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert len(lines) == 6 and all(line.endswith(" ms") for line in lines)
    assert "latency median" in err
    segments = json.loads((tmp_path / "s.json").read_text())["recordings"][0][
        "segments"
    ]
    assert [s["speech"] for s in segments] == [r.speech for r in expected]
    for s, r in zip(segments, expected, strict=True):
        assert s["latency_ms"] >= 0
        if r.speech:
            assert s["prediction"] == run["classifier"].class_names[r.top(1)[0]]

    # A file read as if live (here as fast as it reads); raw PCM at a given rate.
    path = tmp_path / "known.wav"
    sf.write(path, audio, SR, subtype="PCM_16")
    status, out_file, _ = cli(
        capsys, monkeypatch, workdir, f"--stream={path}", "--stream_speed=0"
    )
    raw = audio_files.to_int16(audio).tobytes()
    status_raw, out_raw, _ = cli(
        capsys, monkeypatch, workdir, "--stream=-", "--rate=16000", stdin=raw
    )
    assert status == status_raw == 0
    assert out_file.splitlines()[1:] == out_raw.splitlines()[1:]  # less the model line

    # Bad input: a clear message and status 1, after what could be classified.
    status, out, err = cli(
        capsys,
        monkeypatch,
        workdir,
        "--stream=-",
        "--rate=8000",
        stdin=wav_bytes(audio),
    )
    assert status == 1 and "its WAV header says 16000 Hz but --rate says 8000 Hz" in err
    status, out, err = cli(capsys, monkeypatch, workdir, "--stream=-", stdin=None)
    assert status == 1 and "standard input is closed" in err
    status, out, err = cli(
        capsys, monkeypatch, workdir, "--stream=-", stdin=raw[: 3 * SR * 2] + b"\x07"
    )
    assert status == 1 and "ended inside a sample" in err
    assert out.count("\n") > 3  # the complete windows were still printed
    status, out, err = cli(capsys, monkeypatch, workdir, "--stream=-", stdin=b"")
    assert status == 1 and "standard input ended before its first sample" in err
    status, out, _ = cli(
        capsys,
        monkeypatch,
        workdir,
        "--stream=-",
        stdin=audio_files.to_int16(background(2.0)).tobytes(),
    )
    assert status == classify.EXIT_NO_SPEECH and "-\tno speech" in out


def test_a_live_stream_stops_cleanly_on_ctrl_c(run):
    """A real pipe: results appear while the writer keeps it open; Ctrl-C
    (SIGINT) stops the classifier with a message and status 0."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ser_jax.classify",
            f"--workdir={run['workdir']}",
            "--stream=-",
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        proc.stdin.write(audio_files.to_int16(known_recording())[: 2 * SR].tobytes())
        proc.stdin.flush()  # 2 s of anger; the pipe stays open
        rows = []
        while len(rows) < 2:
            line = proc.stdout.readline().decode()
            if not line:
                break  # it died: the asserts below say how
            if line.strip()[:1].isdigit():
                rows.append(line)
        # Python drops a KeyboardInterrupt that lands in a finaliser ("Exception
        # ignored in ..."), which a loaded machine makes likelier: as a user
        # would, press Ctrl-C again when the first did not stop it.
        for _ in range(3):
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
                break
            except subprocess.TimeoutExpired:
                continue
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert len(rows) == 2, err.decode()
    assert proc.returncode == 0, err.decode()
    assert "stopped (Ctrl-C) after 2.00 s of audio" in err.decode(), err.decode()
    # No traceback but that of an interrupt Python ignored (above).
    assert err.decode().count("Traceback") == err.decode().count("Exception ignored")


def test_a_run_trained_on_trimmed_audio_classifies_trimmed_files(run, monkeypatch):
    classifier = run["classifier"]
    audio = np.concatenate([background(1.5), known_recording()[: 2 * SR]])
    assert classifier.segments(audio).lengths.sum() == len(audio)
    monkeypatch.setattr(classifier, "trim", True)  # as dataset.trim_silence sets it
    start, stop = SpeechDetector().speech_span(audio_files.to_int16(audio))
    assert start > SR  # the leading 1.5 s of background goes, less the margin
    assert classifier.segments(audio).lengths.sum() == stop - start


def test_classify_starts_without_tensorflow_or_scikit_learn():
    """Scoring needs neither: TensorFlow (clu's training summaries) and
    scikit-learn (the feature baselines) load only where a run trains."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, ser_jax.classify; "
            "print([m for m in ('tensorflow', 'sklearn') if m in sys.modules])",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "[]"


def test_a_second_run_loads_its_programs_from_the_compilation_cache(run, tmp_path):
    """The first run of the CLI keeps its compiled programs in
    --compilation_cache; the second finds every one there (it adds no entry)
    and prints the same answer."""
    speech = tmp_path / "known.wav"
    sf.write(speech, known_recording(), SR, subtype="PCM_16")
    cache = tmp_path / "cache"

    def classify_once():
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "ser_jax.classify",
                f"--workdir={run['workdir']}",
                f"--compilation_cache={cache}",
                str(speech),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout, sorted(p.name for p in cache.iterdir())

    first, entries = classify_once()
    assert entries  # the programs were kept
    second, entries_after = classify_once()
    assert second == first
    assert entries_after == entries  # nothing compiled anew
