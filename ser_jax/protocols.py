"""Speaker-independent protocols: leave-one-speaker-out and leave-one-speaker-group-out.

Validation speakers always come from the training speakers of the fold, never
from its test speakers, and every fold is checked for speaker leakage.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

LOSGO_MIN_SPEAKERS = 13  # Keesing et al.: more than 12 speakers -> speaker groups


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


def resolve_protocol(name: str, num_speakers: int) -> str:
    """'auto' is LOSO up to 12 speakers and LOSGO above (Keesing et al.)."""
    if name == "auto":
        return "losgo" if num_speakers >= LOSGO_MIN_SPEAKERS else "loso"
    if name not in ("loso", "losgo"):
        raise ValueError(f"protocol must be 'loso', 'losgo' or 'auto', got {name!r}")
    return name


def _gender_interleaved(
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
                order.append(pool.pop(0))
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
    order = _gender_interleaved(speakers, genders, np.random.default_rng(seed))
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
) -> list[Fold]:
    """One fold per test group; validation speakers drawn from the rest, gender-mixed."""
    protocol = resolve_protocol(protocol, len(set(speakers)))
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
        val = tuple(sorted(_gender_interleaved(rest, genders, rng)[:num_val_speakers]))
        train = tuple(s for s in rest if s not in val)
        fold = Fold(k, tuple(test), val, train)
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
