"""Speaker-independent protocols (`config.protocol.name`).

- `loso`: leave one speaker out; `losgo`: leave one speaker group out
  (`num_groups` random gender-mixed groups); `auto`: LOSO up to 12 speakers,
  LOSGO above (Keesing et al.).
- Several corpora (`dataset.corpus="ravdess+emodb"`, `ser_jax.data.corpus`):
  `cross_corpus` tests on every speaker of `protocol.test_corpus` and trains on
  the other corpora (one fold); `leave_one_corpus_out` does it for each corpus
  in turn (fold k tests the k-th corpus of dataset.corpus). Validation speakers:
  `num_val_speakers` of each training corpus, gender-mixed, drawn with the seed
  and the corpus's name, so a corpus has the same ones in every fold and run.

Validation speakers always come from the training speakers of the fold, never
from its test speakers, and every fold is checked for speaker leakage.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Mapping, Sequence

import numpy as np

LOSGO_MIN_SPEAKERS = 13  # Keesing et al.: more than 12 speakers -> speaker groups
CORPUS_PROTOCOLS = ("cross_corpus", "leave_one_corpus_out")
PROTOCOLS = ("auto", "loso", "losgo", *CORPUS_PROTOCOLS)


@dataclasses.dataclass(frozen=True)
class Fold:
    index: int
    test_speakers: tuple[str, ...]
    val_speakers: tuple[str, ...]
    train_speakers: tuple[str, ...]

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


class SpeakerLeakageError(AssertionError):
    """A test speaker reached training or validation data."""


def resolve_protocol(name: str, num_speakers: int, num_corpora: int = 1) -> str:
    """'auto' is LOSO up to 12 speakers and LOSGO above (Keesing et al.); the
    corpus protocols need 2+ corpora."""
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
) -> list[Fold]:
    """One fold per test group; validation speakers drawn from the rest, gender-mixed.

    The corpus protocols need `corpus_of` (each speaker's corpus, corpora in
    fold order: `Corpus.speaker_corpora()`) and, for `cross_corpus`,
    `test_corpus`.
    """
    num_corpora = len(set((corpus_of or {}).values())) or 1
    protocol = resolve_protocol(protocol, len(set(speakers)), num_corpora)
    if test_corpus and protocol != "cross_corpus":
        raise ValueError(
            f"protocol.test_corpus={test_corpus!r} is for protocol 'cross_corpus', "
            f"not {protocol!r}"
        )
    if protocol in CORPUS_PROTOCOLS:
        return corpus_folds(
            speakers, genders, corpus_of, protocol, test_corpus, num_val_speakers, seed
        )
    groups = speaker_groups(speakers, genders, protocol, num_groups, seed)
    folds = []
    for k, test in enumerate(groups):
        rest = [s for s in sorted(speakers) if s not in test]
        if num_val_speakers >= len(rest):
            raise ValueError(
                f"num_val_speakers={num_val_speakers} leaves no training speakers "
                f"({len(rest)} non-test speakers in fold {k})"
            )
        rng = np.random.default_rng([seed, k])
        val = tuple(sorted(gender_interleaved(rest, genders, rng)[:num_val_speakers]))
        train = tuple(s for s in rest if s not in val)
        fold = Fold(k, tuple(test), val, train)
        check_no_leakage(fold)
        folds.append(fold)
    return folds


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
) -> None:
    """Raises if a test speaker is among the training or validation speakers.

    With `train_speakers` / `val_speakers` (the speakers actually present in the
    data about to be used), the data itself is checked, not only the plan.
    """
    test = set(fold.test_speakers)
    train = set(fold.train_speakers if train_speakers is None else train_speakers)
    val = set(fold.val_speakers if val_speakers is None else val_speakers)
    for name, seen in (("training", train), ("validation", val)):
        if leaked := test & seen:
            raise SpeakerLeakageError(
                f"Fold {fold.index}: test speakers {sorted(leaked)} in the {name} data."
            )
