"""Protocols (`config.protocol.name`): speaker independent, and two that are not.

- `loso`: leave one speaker out; `losgo`: leave one speaker group out
  (`num_groups` random gender-mixed groups); `auto`: LOSO up to 12 speakers,
  LOSGO above (Keesing et al.).
- Corpora recorded in sessions (IEMOCAP, MSP-IMPROV: their builders' `session`
  feature): `sessions` leaves one session out (Keesing et al.'s "sessions as
  groups"); `satt_sessions` trains on the other sessions and, of the held-out
  session, tests on one speaker and validates on the rest, each speaker in
  turn (Satt et al.: of the fifth IEMOCAP session's two speakers, one
  validates and the other tests, both ways).
- Several corpora (`dataset.corpus="ravdess+emodb"`, `ser_jax.data.corpus`):
  `cross_corpus` tests on every speaker of `protocol.test_corpus` and trains on
  the other corpora (one fold); `leave_one_corpus_out` does it for each corpus
  in turn (fold k tests the k-th corpus of dataset.corpus). Validation speakers:
  `num_val_speakers` of each training corpus, gender-mixed, drawn with the seed
  and the corpus's name, so a corpus has the same ones in every fold and run.

- The papers' own random splits, speaker DEPENDENT on purpose (so their
  published numbers can be reproduced, never to be compared with the rest):
  `random_utterances` (Sundharam & Johari: each sex's files split 8:1:1 at
  random) and `random_chunks` (Anand & Verma: the 512 ms chunks split
  60/20/20 at random, so one utterance's chunks land in training and test).
  One fold; `protocol.split_fractions` (train, val, test) overrides the
  paper's fractions; `protocol.seed` draws the split. Each stratum (emotion ×
  sex) is split in those proportions: its items in the order of a hash of
  (seed, item key), the first `test` fraction testing, the next `val`
  fraction validating, the rest training (`random_split`). An item is an
  utterance (key: its file name) or a segment of the config's segmentation
  (key: file name and the segment's place in its utterance): the split depends
  on the seed and the items' keys and strata only, so a seed gives the same
  split in every run.
  Every speaker is in every split: results.json says `speaker_independent:
  false`, and `ser_jax.report` shows such runs apart, with a warning.

Validation speakers always come from the training speakers of the fold, never
from its test speakers, and every fold is checked for speaker leakage; a
random-split fold is checked instead for items (utterances or segments) shared
between its test and its training or validation data. A fold
with a single non-test speaker (LOSO on TESS or the Portuguese corpus, which
have two) cannot hold out a validation speaker: it validates on a stratified
`VAL_UTTERANCE_FRACTION` of its training speaker's utterances instead, drawn
with the seed and the fold, and records so (`val_utterance_fraction`).
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Mapping, Sequence

import numpy as np

LOSGO_MIN_SPEAKERS = 13  # Keesing et al.: more than 12 speakers -> speaker groups
CORPUS_PROTOCOLS = ("cross_corpus", "leave_one_corpus_out")
SESSION_PROTOCOLS = ("sessions", "satt_sessions")
# Speaker-dependent random splits: (train, val, test) fractions of the papers.
RANDOM_SPLITS = {
    "random_utterances": (0.8, 0.1, 0.1),  # Sundharam & Johari, 8:1:1 per sex
    "random_chunks": (0.6, 0.2, 0.2),  # Anand & Verma, 60/20/20 of chunks
}
PROTOCOLS = (
    "auto",
    "loso",
    "losgo",
    *SESSION_PROTOCOLS,
    *CORPUS_PROTOCOLS,
    *RANDOM_SPLITS,
)
# Validation utterances of a fold with one non-test speaker (see above).
VAL_UTTERANCE_FRACTION = 0.2


@dataclasses.dataclass(frozen=True)
class Fold:
    index: int
    test_speakers: tuple[str, ...]
    val_speakers: tuple[str, ...]
    train_speakers: tuple[str, ...]
    # > 0: no validation speaker; this fraction of the training speakers'
    # utterances validates (`split_validation_utterances`).
    val_utterance_fraction: float = 0.0
    # A speaker-dependent random split (a key of RANDOM_SPLITS) and its
    # (train, val, test) fractions; "" for the speaker-independent folds.
    random_split: str = ""
    split_fractions: tuple[float, ...] = ()

    @property
    def speaker_independent(self) -> bool:
        return not self.random_split

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        if not self.val_utterance_fraction:
            del out["val_utterance_fraction"]  # the usual case: speakers validate
        if not self.random_split:
            del out["random_split"], out["split_fractions"]
        else:
            out["split_fractions"] = list(self.split_fractions)
        return out


class SpeakerLeakageError(AssertionError):
    """A test speaker reached training or validation data."""


class SplitLeakageError(AssertionError):
    """A random split's test item (utterance or segment) reached training or
    validation data."""


def is_speaker_independent(protocol: str) -> bool:
    """False for the papers' random splits (RANDOM_SPLITS), True for the rest."""
    return protocol not in RANDOM_SPLITS


def resolve_protocol(name: str, num_speakers: int, num_corpora: int = 1) -> str:
    """'auto' is LOSO up to 12 speakers and LOSGO above (Keesing et al.); the
    corpus protocols need 2+ corpora. (`make_folds` checks sessions.)"""
    if name == "auto":
        return "losgo" if num_speakers >= LOSGO_MIN_SPEAKERS else "loso"
    if name not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {PROTOCOLS}, got {name!r}")
    if name in CORPUS_PROTOCOLS and num_corpora < 2:
        raise ValueError(
            f"protocol {name!r} needs several corpora (e.g. dataset.corpus="
            f"'ravdess+emodb'), got {num_corpora}"
        )
    return name


def gender_interleaved(
    speakers: Sequence[str], genders: Mapping[str, str], rng: np.random.Generator
) -> list[str]:
    """Speakers shuffled within each gender, then alternated between genders."""
    by_gender = {}
    for s in speakers:
        by_gender.setdefault(genders.get(s, ""), []).append(s)
    pools = [
        list(rng.permutation(sorted(group))) for _, group in sorted(by_gender.items())
    ]
    order = []
    while any(pools):
        for pool in pools:
            if pool:
                order.append(str(pool.pop(0)))
    return order


def speaker_groups(
    speakers: Sequence[str],
    genders: Mapping[str, str],
    protocol: str,
    num_groups: int,
    seed: int,
) -> list[tuple[str, ...]]:
    """Test groups: one per speaker (LOSO) or `num_groups` random, gender-mixed groups."""
    speakers = sorted(speakers)
    if protocol == "loso":
        return [(s,) for s in speakers]
    if not 2 <= num_groups <= len(speakers):
        raise ValueError(f"num_groups={num_groups} needs 2..{len(speakers)} speakers")
    order = gender_interleaved(speakers, genders, np.random.default_rng(seed))
    # Contiguous chunks of the gender-alternating order are gender-mixed.
    return [
        tuple(sorted(chunk)) for chunk in np.array_split(np.asarray(order), num_groups)
    ]


def make_folds(
    speakers: Sequence[str],
    genders: Mapping[str, str],
    protocol: str,
    num_groups: int = 6,
    num_val_speakers: int = 1,
    seed: int = 0,
    corpus_of: Mapping[str, str] | None = None,
    test_corpus: str = "",
    session_of: Mapping[str, str] | None = None,
    split_fractions: Sequence[float] = (),
) -> list[Fold]:
    """One fold per test group; validation speakers drawn from the rest, gender-mixed.

    The corpus protocols need `corpus_of` (each speaker's corpus, corpora in
    fold order: `Corpus.speaker_corpora()`) and, for `cross_corpus`,
    `test_corpus`; the session protocols `session_of` (each speaker's session:
    `Corpus.speaker_sessions()`). The random splits take `split_fractions`
    (train, val, test; empty: the paper's, RANDOM_SPLITS) and give one fold.
    """
    num_corpora = len(set((corpus_of or {}).values())) or 1
    protocol = resolve_protocol(protocol, len(set(speakers)), num_corpora)
    if test_corpus and protocol != "cross_corpus":
        raise ValueError(
            f"protocol.test_corpus={test_corpus!r} is for protocol 'cross_corpus', "
            f"not {protocol!r}"
        )
    if split_fractions and protocol not in RANDOM_SPLITS:
        raise ValueError(
            f"protocol.split_fractions is for the random splits {list(RANDOM_SPLITS)}, "
            f"not {protocol!r}"
        )
    if protocol in RANDOM_SPLITS:
        return [random_split_fold(speakers, protocol, split_fractions)]
    if protocol in CORPUS_PROTOCOLS:
        return corpus_folds(
            speakers, genders, corpus_of, protocol, test_corpus, num_val_speakers, seed
        )
    if protocol in SESSION_PROTOCOLS:
        return session_folds(
            speakers, genders, session_of, protocol, num_val_speakers, seed
        )
    groups = speaker_groups(speakers, genders, protocol, num_groups, seed)
    return held_out_folds(groups, speakers, genders, num_val_speakers, seed)


def held_out_folds(
    groups: Sequence[Sequence[str]],
    speakers: Sequence[str],
    genders: Mapping[str, str],
    num_val_speakers: int,
    seed: int,
) -> list[Fold]:
    """A fold per test group: `num_val_speakers` gender-mixed validation speakers
    drawn from the other speakers, the rest training (one non-test speaker:
    utterance validation, see the module docstring)."""
    folds = []
    for k, test in enumerate(groups):
        test = tuple(sorted(test))
        rest = [s for s in sorted(speakers) if s not in test]
        if len(rest) == 1:
            fold = Fold(k, test, (), tuple(rest), VAL_UTTERANCE_FRACTION)
            check_no_leakage(fold)
            folds.append(fold)
            continue
        if num_val_speakers >= len(rest):
            raise ValueError(
                f"num_val_speakers={num_val_speakers} leaves no training speakers "
                f"({len(rest)} non-test speakers in fold {k})"
            )
        rng = np.random.default_rng([seed, k])
        val = tuple(sorted(gender_interleaved(rest, genders, rng)[:num_val_speakers]))
        train = tuple(s for s in rest if s not in val)
        fold = Fold(k, test, val, train)
        check_no_leakage(fold)
        folds.append(fold)
    return folds


def session_folds(
    speakers: Sequence[str],
    genders: Mapping[str, str],
    session_of: Mapping[str, str] | None,
    protocol: str,
    num_val_speakers: int = 1,
    seed: int = 0,
) -> list[Fold]:
    """`sessions`: a fold per session (sorted), its speakers the test group,
    validation speakers from the other sessions. `satt_sessions`: a fold per
    speaker of each session: it tests, the session's other speakers validate,
    the other sessions train."""
    if not session_of:
        raise ValueError(
            f"protocol {protocol!r} needs a corpus recorded in sessions (a builder "
            "with a `session` feature, e.g. iemocap or msp_improv)"
        )
    if missing := set(speakers) - set(session_of):
        raise ValueError(f"session_of lacks speakers {sorted(missing)}")
    by_session = {}
    for s in sorted(speakers):
        by_session.setdefault(session_of[s], []).append(s)
    if len(by_session) < 2:
        raise ValueError(f"protocol {protocol!r} needs 2+ sessions, got {by_session}")
    if protocol == "sessions":
        groups = [by_session[name] for name in sorted(by_session)]
        return held_out_folds(groups, speakers, genders, num_val_speakers, seed)
    folds = []
    for name in sorted(by_session):
        group = by_session[name]
        if len(group) < 2:
            raise ValueError(
                f"satt_sessions: session {name!r} has one speaker ({group}); each "
                "session needs one to test and one to validate"
            )
        train = tuple(s for s in sorted(speakers) if session_of[s] != name)
        for test in group:
            val = tuple(s for s in group if s != test)
            fold = Fold(len(folds), (test,), val, train)
            check_no_leakage(fold)
            folds.append(fold)
    return folds


def random_split_fold(
    speakers: Sequence[str], protocol: str, split_fractions: Sequence[float] = ()
) -> Fold:
    """The one fold of a random split: every speaker may be in every split."""
    fractions = tuple(float(f) for f in split_fractions) or RANDOM_SPLITS[protocol]
    if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
        raise ValueError(
            "protocol.split_fractions must be (train, val, test), each > 0, summing "
            f"to 1; got {fractions}"
        )
    everyone = tuple(sorted(set(speakers)))
    fold = Fold(0, everyone, everyone, everyone, 0.0, protocol, fractions)
    check_no_leakage(fold)
    return fold


TRAIN, VAL, TEST = 0, 1, 2  # what `random_split` assigns


def random_split(
    keys: Sequence[str],
    strata: Sequence,
    fractions: Sequence[float],
    seed: Sequence[int],
) -> np.ndarray:
    """TRAIN, VAL or TEST for each item: within each stratum (equal `strata`
    values), items in the order of a hash of (seed, key); the first
    round(test · n) test, the next round(val · n) validate, the rest train.

    An item's place depends on its key, its stratum and the seed only, so the
    split is the same in every run and in any view of the corpus that keeps
    whole strata (two-step's binary stages).
    """
    _, val_fraction, test_fraction = fractions
    salt = ":".join(str(x) for x in seed)
    rank = np.asarray([zlib.crc32(f"{salt}:{k}".encode()) for k in keys])
    _, stratum = np.unique(np.asarray(strata, dtype=str), return_inverse=True)
    out = np.full(len(keys), TRAIN, np.int8)
    for s in np.unique(stratum):
        idx = np.flatnonzero(stratum == s)
        idx = idx[np.argsort(rank[idx], kind="stable")]
        num_test = round(test_fraction * len(idx))
        num_val = round(val_fraction * len(idx))
        out[idx[:num_test]] = TEST
        out[idx[num_test : num_test + num_val]] = VAL
    return out


def split_validation_utterances(
    labels: np.ndarray, keys: Sequence[str], fraction: float, seed: Sequence[int]
) -> np.ndarray:
    """A boolean mask of `fraction` of the utterances (at least one of each class
    with 2+ utterances), stratified by label: a fold's validation utterances
    when it has no validation speaker.

    Each class takes its utterances of lowest hash of (seed, key): an
    utterance's draw depends on its key (file name) alone, so any view of the
    corpus that keeps a class's utterances (two-step's binary stages) holds
    out the same ones.
    """
    salt = ":".join(str(x) for x in seed)
    rank = np.asarray([zlib.crc32(f"{salt}:{k}".encode()) for k in keys])
    chosen = np.zeros(len(labels), bool)
    for label in np.unique(labels):
        idx = np.flatnonzero(labels == label)
        if len(idx) > 1:
            take = max(1, round(fraction * len(idx)))
            chosen[idx[np.argsort(rank[idx], kind="stable")[:take]]] = True
    return chosen


def corpus_folds(
    speakers: Sequence[str],
    genders: Mapping[str, str],
    corpus_of: Mapping[str, str],
    protocol: str,
    test_corpus: str = "",
    num_val_speakers: int = 1,
    seed: int = 0,
) -> list[Fold]:
    """`cross_corpus` (one fold: `test_corpus`) or `leave_one_corpus_out` (a fold
    per corpus, in `corpus_of`'s order): test speakers are the test corpus's;
    validation, `num_val_speakers` of each other corpus; training, the rest."""
    wanted = set(speakers)
    if missing := wanted - set(corpus_of):
        raise ValueError(f"corpus_of lacks speakers {sorted(missing)}")
    by_corpus = {}
    for s, name in corpus_of.items():
        if s in wanted:
            by_corpus.setdefault(name, []).append(s)
    if protocol == "cross_corpus":
        if test_corpus not in by_corpus:
            raise ValueError(
                "protocol 'cross_corpus' needs protocol.test_corpus, one of "
                f"{list(by_corpus)}; got {test_corpus!r}"
            )
        tests = [test_corpus]
    elif protocol == "leave_one_corpus_out":
        tests = list(by_corpus)
    else:
        raise ValueError(f"{protocol!r} is not one of {CORPUS_PROTOCOLS}")

    def validation(name: str) -> list[str]:
        group = sorted(by_corpus[name])
        if num_val_speakers >= len(group):
            raise ValueError(
                f"num_val_speakers={num_val_speakers} leaves no training speakers "
                f"of {name} ({len(group)} speakers)"
            )
        rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
        return gender_interleaved(group, genders, rng)[:num_val_speakers]

    folds = []
    for k, test_name in enumerate(tests):
        val, train = [], []
        for name, group in by_corpus.items():
            if name != test_name:
                val += validation(name)
                train += [s for s in group if s not in val]
        fold = Fold(
            k,
            tuple(sorted(by_corpus[test_name])),
            tuple(sorted(val)),
            tuple(sorted(train)),
        )
        check_no_leakage(fold)
        folds.append(fold)
    return folds


def check_no_leakage(
    fold: Fold,
    train_speakers: Sequence[str] | None = None,
    val_speakers: Sequence[str] | None = None,
    items: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Raises if a test speaker is among the training or validation speakers.

    With `train_speakers` / `val_speakers` (the speakers actually present in the
    data about to be used), the data itself is checked, not only the plan.

    A fold of a random split (RANDOM_SPLITS) shares its speakers on purpose:
    for it, the keys of the items about to be used, `items["train" | "val" |
    "test"]` (file names, or segment keys), are checked instead: no test item
    may be in training or validation. Any other fold gets the speaker check.
    """
    if fold.random_split:
        if fold.random_split not in RANDOM_SPLITS:
            raise ValueError(
                f"Fold {fold.index}: random_split={fold.random_split!r} is not one of "
                f"the speaker-dependent protocols {list(RANDOM_SPLITS)}"
            )
        if items is not None:
            test = set(items["test"])
            for name in ("train", "val"):
                if leaked := test & set(items.get(name, ())):
                    raise SplitLeakageError(
                        f"Fold {fold.index} ({fold.random_split}): {len(leaked)} test "
                        f"items in the {name} data, e.g. {sorted(leaked)[:3]}."
                    )
        return
    test = set(fold.test_speakers)
    train = set(fold.train_speakers if train_speakers is None else train_speakers)
    val = set(fold.val_speakers if val_speakers is None else val_speakers)
    for name, seen in (("training", train), ("validation", val)):
        if leaked := test & seen:
            raise SpeakerLeakageError(
                f"Fold {fold.index}: test speakers {sorted(leaked)} in the {name} data."
            )
