"""Timelines without a model: windows, the tail, smoothing, file = stream, files."""

import csv
import json

import numpy as np
import pytest

from ser_jax import timeline
from ser_jax.data.speech_activity import SpeechDetector

SR = 16000


def fake_score(windows):
    """Posteriors that identify a window: p0 = its first sample's fraction."""
    out = []
    for w in windows:
        p = (int(w[0]) % 1000) / 1000
        out.append([p, 1 - p])
    return np.asarray(out)


def windows_of(windows, n):
    w = timeline.Windower(windows)
    return [(s, len(a)) for s, a in w.push(np.zeros(n, np.int16)) + w.finish()]


def test_windows_end_to_end_overlapping_and_the_tail():
    w = timeline.Windows(width=100, hop=100)
    assert windows_of(w, 300) == [(0, 100), (100, 100), (200, 100)]
    assert windows_of(w, 330) == [(0, 100), (100, 100), (200, 100), (300, 30)]
    assert windows_of(w, 320) == [(0, 100), (100, 100), (200, 100)]  # tail < 1/4
    assert windows_of(w, 60) == [(0, 60)]  # a short recording is one window
    half = timeline.Windows(width=100, hop=50)
    assert windows_of(half, 250) == [(0, 100), (50, 100), (100, 100), (150, 100)]
    assert windows_of(half, 280) == [
        (0, 100),
        (50, 100),
        (100, 100),
        (150, 100),
        (200, 80),
    ]
    gaps = timeline.Windows(width=100, hop=150)
    assert windows_of(gaps, 340) == [(0, 100), (150, 100), (300, 40)]
    assert timeline.Windows.of_seconds(3.0, 0.5).hop == 8000
    assert timeline.Windows.of_seconds(0.512).hop == 8192
    with pytest.raises(ValueError, match="positive"):
        timeline.Windows(width=100, hop=0)


def test_windower_gives_the_same_windows_however_the_samples_arrive():
    rng = np.random.default_rng(0)
    audio = rng.integers(-1000, 1000, 5003).astype(np.int16)
    for hop in (400, 1000, 1500):
        whole = timeline.Windower(timeline.Windows(1000, hop))
        expected = whole.push(audio) + whole.finish()
        w = timeline.Windower(timeline.Windows(1000, hop))
        got, at = [], 0
        while at < len(audio):
            size = int(rng.integers(0, 700))  # empty chunks too
            got += w.push(audio[at : at + size])
            at += size
        got += w.finish()
        assert [s for s, _ in got] == [s for s, _ in expected]
        for (_, a), (_, b) in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)
        assert len(w.buffer) <= 1000 + 700  # it does not keep the whole stream


def test_smoothing_is_causal_and_restarts_after_silence():
    s = timeline.Smoother(2)
    a, b, c = np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.array([0.5, 0.5])
    np.testing.assert_allclose(s(a), a)
    np.testing.assert_allclose(s(b), [0.5, 0.5])
    np.testing.assert_allclose(s(c), [0.25, 0.75])
    assert s(None) is None
    np.testing.assert_allclose(s(a), a)  # a new stretch of speech
    with pytest.raises(ValueError, match="at least 1"):
        timeline.Smoother(0)


def recording():
    """1 s of tone, 1 s of silence, 0.5 s of tone, as int16."""
    t = np.arange(SR) / SR
    tone = np.round(8000 * np.sin(2 * np.pi * 200 * t)).astype(np.int16)
    return np.concatenate([tone, np.zeros(SR, np.int16), tone[: SR // 2]])


def test_a_timeline_marks_silence_and_equals_its_stream():
    audio = recording()
    windows = timeline.Windows.of_seconds(0.5, 0.25)
    rows = timeline.timeline(audio, windows, fake_score, SpeechDetector(), smoothing=2)
    starts = [r.start_s for r in rows]
    assert starts == [0.25 * i for i in range(9)]
    speech = [r.speech for r in rows]
    # Windows inside the silence [1, 2) hold none; those touching the tone do.
    assert speech == [True, True, True, True, False, False, False, True, True]
    assert rows[-1].end_s == 2.5
    assert rows[5].top(3) == [] and len(rows[0].top(3)) == 2
    chunks = np.array_split(audio, [1, 2, 777, 778, 20001, 30000])
    streamed = list(
        timeline.stream(chunks, windows, fake_score, SpeechDetector(), smoothing=2)
    )
    assert [(r.start_s, r.end_s, r.speech) for r in streamed] == [
        (r.start_s, r.end_s, r.speech) for r in rows
    ]
    for a, b in zip(streamed, rows, strict=True):
        if a.speech:
            np.testing.assert_allclose(a.posteriors, b.posteriors)
        assert a.latency_s >= 0 and a.ready_at is not None
    # Without a detector every window is scored.
    assert all(r.speech for r in timeline.timeline(audio, windows, fake_score))


def test_rows_and_files(tmp_path):
    names = ["calm", "angry"]
    rows = [
        timeline.SegmentResult(0.0, 1.0, np.array([0.2, 0.8])),
        timeline.SegmentResult(1.0, 2.0, None, latency_s=0.004),
    ]
    assert timeline.format_row(rows[0], names).split() == [
        "0.00",
        "1.00",
        "angry",
        "angry",
        "0.80",
        "calm",
        "0.20",
    ]
    assert timeline.format_row(rows[1], names).endswith("no speech")
    timeline.write(tmp_path / "t.json", {"a.wav": rows}, names, {"model": "m"})
    data = json.loads((tmp_path / "t.json").read_text())
    assert data["model"] == "m" and data["class_names"] == names
    (rec,) = data["recordings"]
    assert rec["source"] == "a.wav" and rec["speech"] is True
    assert rec["segments"][0]["prediction"] == "angry"
    assert rec["segments"][0]["posteriors"] == {"calm": 0.2, "angry": 0.8}
    assert rec["segments"][1] == {
        "start_s": 1.0,
        "end_s": 2.0,
        "speech": False,
        "prediction": "no speech",
        "posteriors": None,
        "latency_ms": 4.0,
    }
    timeline.write(tmp_path / "t.csv", {"a.wav": rows}, names, {})
    table = list(csv.DictReader((tmp_path / "t.csv").open()))
    assert table[0]["p_angry"] == "0.8000" and table[0]["speech"] == "1"
    assert table[1]["prediction"] == "no speech" and table[1]["p_calm"] == ""
    assert table[1]["latency_ms"] == "4.0"
