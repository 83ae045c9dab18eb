import dataclasses

import numpy as np
import pytest

from ser_jax.data import protocols

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


# ----------------------------------------------------------------------------
# Corpus protocols: speakers of three corpora, corpora in fold order.

CORPUS_OF = {
    **{f"a:{i}": "a" for i in range(1, 7)},
    **{f"b:{i}": "b" for i in range(1, 5)},
    **{f"c:{i}": "c" for i in range(1, 9)},
}
CORPUS_GENDERS = {s: ("male" if int(s[2:]) % 2 else "female") for s in CORPUS_OF}
CORPUS_SPEAKERS = sorted(CORPUS_OF)


def corpus_folds(protocol, test_corpus="", num_val_speakers=2, seed=0, **kw):
    return protocols.make_folds(
        CORPUS_SPEAKERS,
        CORPUS_GENDERS,
        protocol,
        num_val_speakers=num_val_speakers,
        seed=seed,
        corpus_of=kw.get("corpus_of", CORPUS_OF),
        test_corpus=test_corpus,
    )


def test_leave_one_corpus_out_tests_each_corpus_validates_on_the_others():
    folds = corpus_folds("leave_one_corpus_out")
    assert [f.index for f in folds] == [0, 1, 2]
    for fold, test in zip(folds, "abc", strict=True):
        assert fold.test_speakers == tuple(
            s for s in CORPUS_SPEAKERS if CORPUS_OF[s] == test
        )
        others = [s for s in CORPUS_SPEAKERS if CORPUS_OF[s] != test]
        assert sorted(fold.val_speakers + fold.train_speakers) == others
        assert set(fold.val_speakers).isdisjoint(fold.train_speakers)
        # num_val_speakers of each training corpus, one of each sex.
        for name in set("abc") - {test}:
            val = [s for s in fold.val_speakers if CORPUS_OF[s] == name]
            assert len(val) == 2
            assert {CORPUS_GENDERS[s] for s in val} == {"female", "male"}
    # A corpus validates on the same speakers in every fold and run it trains in.
    val_of_c = [{s for s in f.val_speakers if s.startswith("c:")} for f in folds[:2]]
    assert val_of_c[0] == val_of_c[1]
    assert folds == corpus_folds("leave_one_corpus_out")
    assert folds != corpus_folds("leave_one_corpus_out", seed=2)


def test_cross_corpus_is_the_test_corpus_fold_of_leave_one_corpus_out():
    (fold,) = corpus_folds("cross_corpus", test_corpus="b")
    loco = corpus_folds("leave_one_corpus_out")[1]
    assert fold.index == 0 and loco.index == 1
    assert fold == dataclasses.replace(loco, index=0)  # the same speakers
    # Fold order follows corpus_of's order of corpora.
    reordered = {s: CORPUS_OF[s] for s in sorted(CORPUS_OF, reverse=True)}
    folds = corpus_folds("leave_one_corpus_out", corpus_of=reordered)
    assert [f.test_speakers[0][0] for f in folds] == ["c", "b", "a"]


def test_corpus_protocol_errors():
    one_corpus = {s: "a" for s in CORPUS_SPEAKERS}
    for name in protocols.CORPUS_PROTOCOLS:
        with pytest.raises(ValueError, match="needs several corpora"):
            corpus_folds(name, "a" if name == "cross_corpus" else "", corpus_of=None)
        with pytest.raises(ValueError, match="needs several corpora"):
            corpus_folds(name, corpus_of=one_corpus)
    with pytest.raises(ValueError, match="needs protocol.test_corpus, one of"):
        corpus_folds("cross_corpus")
    with pytest.raises(ValueError, match="one of \\['a', 'b', 'c'\\]; got 'd'"):
        corpus_folds("cross_corpus", test_corpus="d")
    for name in ("leave_one_corpus_out", "loso", "auto"):
        with pytest.raises(ValueError, match="is for protocol 'cross_corpus'"):
            corpus_folds(name, test_corpus="a")
    with pytest.raises(ValueError, match="leaves no training speakers of b"):
        corpus_folds("leave_one_corpus_out", num_val_speakers=4)
    # b is never trained on when it is the test corpus: 4 validation speakers
    # of a and c each are fine.
    assert corpus_folds("cross_corpus", test_corpus="b", num_val_speakers=4)
    with pytest.raises(ValueError, match="lacks speakers"):
        corpus_folds("cross_corpus", "a", corpus_of={"a:1": "a", "b:1": "b"})


def test_every_corpus_fold_passes_the_leakage_guard(monkeypatch):
    checked = []
    monkeypatch.setattr(protocols, "check_no_leakage", checked.append)
    folds = corpus_folds("leave_one_corpus_out") + corpus_folds("cross_corpus", "a")
    assert checked == folds


# ----------------------------------------------------------------------------
# Session protocols: IEMOCAP's layout, one female and one male actor per session.

SESSION_OF = {f"Ses0{n}{sex}": str(n) for n in range(1, 6) for sex in "FM"}
SESSION_GENDERS = {s: ("female" if s.endswith("F") else "male") for s in SESSION_OF}


def session_folds(protocol, **kw):
    return protocols.make_folds(
        sorted(SESSION_OF),
        SESSION_GENDERS,
        protocol,
        num_val_speakers=kw.pop("num_val_speakers", 2),
        session_of=kw.pop("session_of", SESSION_OF),
        **kw,
    )


def test_sessions_leaves_one_session_out():
    folds = session_folds("sessions")
    assert [f.test_speakers for f in folds] == [
        (f"Ses0{n}F", f"Ses0{n}M") for n in range(1, 6)
    ]
    for f in folds:
        test_sessions = {SESSION_OF[s] for s in f.test_speakers}
        assert test_sessions.isdisjoint(
            SESSION_OF[s] for s in f.val_speakers + f.train_speakers
        )
        assert {SESSION_GENDERS[s] for s in f.val_speakers} == {"female", "male"}
        assert len(f.train_speakers) == 6


def test_satt_sessions_test_one_speaker_validate_the_other_both_ways():
    folds = session_folds("satt_sessions")
    assert len(folds) == 10
    assert [(f.test_speakers, f.val_speakers) for f in folds[:2]] == [
        (("Ses01F",), ("Ses01M",)),
        (("Ses01M",), ("Ses01F",)),
    ]
    for f in folds:
        (test,) = f.test_speakers
        assert {SESSION_OF[s] for s in f.val_speakers} == {SESSION_OF[test]}
        assert SESSION_OF[test] not in {SESSION_OF[s] for s in f.train_speakers}
        assert len(f.train_speakers) == 8


def test_session_protocol_errors():
    with pytest.raises(ValueError, match="recorded in sessions"):
        session_folds("sessions", session_of=None)
    with pytest.raises(ValueError, match="one speaker"):
        lonely = {**SESSION_OF, "Ses06F": "6"}
        protocols.make_folds(
            sorted(lonely),
            {**SESSION_GENDERS, "Ses06F": "female"},
            "satt_sessions",
            session_of=lonely,
        )


def test_two_speakers_loso_validates_on_held_out_training_utterances():
    folds = protocols.make_folds(["OAF", "YAF"], {}, "loso", num_val_speakers=2)
    assert [(f.test_speakers, f.val_speakers, f.train_speakers) for f in folds] == [
        (("OAF",), (), ("YAF",)),
        (("YAF",), (), ("OAF",)),
    ]
    assert folds[0].to_dict()["val_utterance_fraction"] == (
        protocols.VAL_UTTERANCE_FRACTION
    )
    assert "val_utterance_fraction" not in session_folds("sessions")[0].to_dict()


def test_validation_utterances_are_stratified_and_the_same_in_any_view():
    labels = np.repeat([0, 1, 2], [10, 5, 1])
    keys = [f"f{i}.wav" for i in range(len(labels))]
    held = protocols.split_validation_utterances(labels, keys, 0.2, seed=(0, 1))
    assert np.bincount(labels[held], minlength=3).tolist() == [2, 1, 0]
    # A view holding classes 1 and 2 only (two-step's binary stages) holds out
    # the same utterances of class 1.
    view = labels > 0
    again = protocols.split_validation_utterances(
        labels[view], np.asarray(keys)[view], 0.2, seed=(0, 1)
    )
    assert (np.flatnonzero(view)[again] == np.flatnonzero(held & view)).all()
    other = protocols.split_validation_utterances(labels, keys, 0.2, seed=(0, 2))
    assert (other != held).any()  # another fold draws others
