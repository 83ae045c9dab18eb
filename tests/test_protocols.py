import pytest

from ser_jax import protocols

SPEAKERS = [f"{i:02d}" for i in range(1, 25)]
GENDERS = {s: ("male" if int(s) % 2 else "female") for s in SPEAKERS}


def test_losgo_six_groups_partition_the_speakers_gender_mixed():
    folds = protocols.make_folds(
        SPEAKERS, GENDERS, "auto", num_groups=6, num_val_speakers=2
    )
    assert len(folds) == 6
    tests = [s for f in folds for s in f.test_speakers]
    assert sorted(tests) == SPEAKERS  # every speaker tested exactly once
    for f in folds:
        assert len(f.test_speakers) == 4
        assert {GENDERS[s] for s in f.test_speakers} == {"male", "female"}
        assert {GENDERS[s] for s in f.val_speakers} == {"male", "female"}
        assert set(f.test_speakers).isdisjoint(f.val_speakers + f.train_speakers)
        assert set(f.val_speakers).isdisjoint(f.train_speakers)
        assert len(f.train_speakers) == 18


def test_loso_for_small_corpora_and_determinism():
    speakers = SPEAKERS[:10]
    folds = protocols.make_folds(speakers, GENDERS, "auto", num_val_speakers=1, seed=3)
    assert [f.test_speakers for f in folds] == [(s,) for s in speakers]
    again = protocols.make_folds(speakers, GENDERS, "auto", num_val_speakers=1, seed=3)
    assert folds == again
    other = protocols.make_folds(SPEAKERS, GENDERS, "losgo", seed=4)
    assert other != protocols.make_folds(SPEAKERS, GENDERS, "losgo", seed=3)


def test_leakage_guard_checks_the_data():
    fold = protocols.make_folds(SPEAKERS, GENDERS, "losgo")[0]
    protocols.check_no_leakage(fold, train_speakers=list(fold.train_speakers))
    with pytest.raises(protocols.SpeakerLeakageError, match="test speakers"):
        protocols.check_no_leakage(
            fold, train_speakers=[*fold.train_speakers, fold.test_speakers[0]]
        )
    with pytest.raises(protocols.SpeakerLeakageError, match="validation"):
        protocols.check_no_leakage(fold, val_speakers=[fold.test_speakers[1]])


def test_bad_protocol_arguments():
    with pytest.raises(ValueError, match="protocol"):
        protocols.make_folds(SPEAKERS, GENDERS, "kfold")
    with pytest.raises(ValueError, match="no training speakers"):
        protocols.make_folds(SPEAKERS[:3], GENDERS, "loso", num_val_speakers=2)
