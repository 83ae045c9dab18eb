"""Anand & Verma's data cleaning: outliers become the training median, and
training rows a speaker-independent model finds unlikely are removed."""

import numpy as np

from ser_jax.baselines import classifiers, cleaning


def test_outliers_are_replaced_by_the_training_median_with_training_statistics():
    train = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0], [4.0, 5.0], [100.0, 5.0]])
    # Column 0: median 3, MAD 1 (x 1.4826); column 1 is constant (MAD 0).
    rows = np.array([[3.0 + 1.4826 * 2.9, 9.0], [3.0 - 1.4826 * 3.1, 5.0], [100, 5]])
    out, count = cleaning.replace_outliers(train, rows, num_mads=3.0)
    np.testing.assert_allclose(out, [[3.0 + 1.4826 * 2.9, 9.0], [3.0, 5.0], [3, 5]])
    assert count == 2
    # Test rows never move the statistics: the same rows with other company.
    alone, _ = cleaning.replace_outliers(train, rows[:1], num_mads=3.0)
    np.testing.assert_allclose(alone, out[:1])


def test_mislabelled_rows_are_those_other_speakers_models_call_unlikely():
    rng = np.random.default_rng(0)
    speakers = np.repeat(np.arange(5), 30)
    labels = np.tile(np.arange(3), 50)
    x = rng.normal(0, 0.3, (150, 2)) + 3 * np.eye(3)[labels][:, :2]
    flipped = np.array(
        [4, 40, 77, 120]
    )  # own-label posteriors 0.001-0.09, others > 0.7
    noisy = labels.copy()
    noisy[flipped] = (labels[flipped] + 1) % 3
    drop = cleaning.mislabelled(
        classifiers.with_speakers(speakers, x),
        noisy,
        speakers,
        "train_speakers",
        below=0.25,
    )
    assert np.flatnonzero(drop).tolist() == flipped.tolist()
