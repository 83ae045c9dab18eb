"""Classifying new recordings with a trained run; bad files fail alone, clearly."""

import numpy as np
import soundfile as sf

from data_builders.synthetic import synthetic_speech
from ser_jax import classify, train


def test_classify_files_with_a_trained_run(data_dir, tiny_config, tmp_path):
    run = tmp_path / "run"
    config = tiny_config(
        data_dir,
        num_epochs=1,
        feature_standardization="train_speakers",  # the classifier needs the fitted stats
        class_balance="oversample",
    )
    results = train.train_and_evaluate(config, run)
    assert (run / "fold_00" / "feature_stats.npz").exists()
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

    classifier = classify.Classifier(run)
    assert classifier.class_names == results["class_names"]
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
