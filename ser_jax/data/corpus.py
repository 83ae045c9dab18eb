"""One corpus in memory (`Corpus`), and several corpora merged into one.

Corpora are small (RAVDESS is 180 MB as int16), so a corpus is read once into
host memory (`ser_jax.data.load`) and folds are index selections. Nothing here
needs TensorFlow.

Several corpora (`dataset.corpus = "ravdess+emodb"`) are mapped onto the
emotions all of them share (`emotions.shared_label_map`) and merged
(`combine`), each speaker and file name prefixed with its corpus (`emodb:03`),
so no two corpora share a speaker. The protocols `cross_corpus` and
`leave_one_corpus_out` read a speaker's corpus from that prefix (`corpus_of`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from ser_jax.data import emotions

SEPARATOR = "+"  # between corpus names in dataset.corpus
PREFIX = ":"  # between a corpus name and a speaker or file name


@dataclasses.dataclass
class Corpus:
    """One corpus in memory: an entry per utterance."""

    name: str
    audio: list[np.ndarray]  # int16 waveforms (or [frames, D] host features:
    # frontends/precomputed.py, with sample_rate the frame rate)
    labels: np.ndarray  # int32 emotion ids
    speakers: np.ndarray  # str speaker codes
    genders: np.ndarray  # str "female" / "male" ("unknown" where undocumented)
    file_names: np.ndarray  # str
    class_names: list[str]
    sample_rate: int
    # Several corpora merged (`combine`): per corpus, in the order of
    # dataset.corpus, its emotions -> the shared ones. Empty for one corpus.
    label_maps: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    # str recording session of each utterance, for corpora recorded in
    # sessions (a builder's `session` feature: IEMOCAP, MSP-IMPROV); else None.
    sessions: np.ndarray | None = None
    # Annotated dimensional ratings per utterance, by auxiliary task
    # (`activation`, `valence`): float32 on the corpus's own scale (IEMOCAP's
    # and MSP-IMPROV's means on 1-5), NaN where an utterance has none. Empty
    # for corpora with categories only.
    ratings: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    @property
    def speaker_ids(self) -> list[str]:
        return sorted(set(self.speakers.tolist()))

    def speaker_corpora(self) -> dict[str, str]:
        """Each speaker's corpus (the `corpus:` prefix of merged corpora's speakers),
        corpora in the order of `label_maps`; for one corpus, its name."""
        if not self.label_maps:
            return {s: self.name for s in self.speaker_ids}
        order = list(self.label_maps)
        of = {s: corpus_of(s) for s in self.speaker_ids}
        return {s: of[s] for s in sorted(of, key=lambda s: (order.index(of[s]), s))}

    def speaker_genders(self) -> dict[str, str]:
        return dict(zip(self.speakers.tolist(), self.genders.tolist(), strict=True))

    def speaker_sessions(self) -> dict[str, str] | None:
        """Each speaker's session (the session protocols' groups), or None for a
        corpus without sessions; a speaker in two sessions is an error."""
        if self.sessions is None:
            return None
        of = {}
        for speaker, session in zip(
            self.speakers.tolist(), self.sessions.tolist(), strict=True
        ):
            if of.setdefault(speaker, session) != session:
                raise ValueError(
                    f"{self.name}: speaker {speaker!r} is in sessions "
                    f"{of[speaker]!r} and {session!r}"
                )
        return of

    def subset(self, keep: np.ndarray) -> Corpus:
        """The utterances where `keep` (a boolean mask) is true."""
        idx = np.flatnonzero(keep)
        if len(idx) == 0:
            raise ValueError(f"Corpus {self.name!r}: the filter keeps no utterance.")
        return dataclasses.replace(
            self,
            audio=[self.audio[i] for i in idx],
            labels=self.labels[idx],
            speakers=self.speakers[idx],
            genders=self.genders[idx],
            file_names=self.file_names[idx],
            sessions=None if self.sessions is None else self.sessions[idx],
            ratings={k: v[idx] for k, v in self.ratings.items()},
        )

    def relabel(self, label_map: dict[str, str]) -> Corpus:
        """Maps emotion names through `label_map`; unmapped emotions are dropped.

        The new classes are the map's values, sorted, so two corpora mapped to
        the same names share class ids (cross-corpus) whatever the key order
        (ConfigDict sorts keys).
        """
        unknown = set(label_map) - set(self.class_names)
        if unknown:
            raise ValueError(
                f"label_map names {sorted(unknown)}, not emotions of {self.name!r} "
                f"({self.class_names})"
            )
        new_names = sorted(set(label_map.values()))
        old_to_new = np.array(
            [
                new_names.index(label_map[c]) if c in label_map else -1
                for c in self.class_names
            ]
        )
        mapped = old_to_new[self.labels]
        corpus = self.subset(mapped >= 0)
        corpus.labels = mapped[mapped >= 0].astype(np.int32)
        corpus.class_names = new_names
        return corpus

    def select(self, speakers: Sequence[str]) -> np.ndarray:
        """Indices of the utterances of `speakers`."""
        return np.flatnonzero(np.isin(self.speakers, list(speakers)))


def corpus_names(corpus: str) -> list[str]:
    """`"ravdess+emodb"` -> `["ravdess", "emodb"]`; one corpus -> a list of one."""
    names = [n.strip() for n in corpus.split(SEPARATOR)]
    if not all(names):
        raise ValueError(f"dataset.corpus={corpus!r} has an empty corpus name")
    if len(set(names)) != len(names):
        raise ValueError(f"dataset.corpus={corpus!r} names a corpus twice")
    if len(names) > 1 and any(PREFIX in n for n in names):
        raise ValueError(
            f"dataset.corpus={corpus!r}: corpus names joined with '{SEPARATOR}' may "
            f"not hold '{PREFIX}' (it separates a corpus from its speakers)"
        )
    return names


def corpus_of(speaker: str) -> str:
    """The corpus of a merged corpus's speaker: `emodb:03` -> `emodb`."""
    name, sep, _ = speaker.partition(PREFIX)
    if not sep:
        raise ValueError(f"Speaker {speaker!r} has no '<corpus>{PREFIX}' prefix")
    return name


def merge_corpora(
    corpora: Sequence[Corpus],
    class_names: Sequence[str],
    name: str | None = None,
) -> Corpus:
    """One corpus from several with the same emotion names (labels realigned by name).

    Speakers, file names and sessions are prefixed with their corpus
    (`emodb:03`), so no two corpora share a speaker or a session; the merged
    corpus has sessions when every corpus has, and each rating any corpus has
    (NaN for the utterances of the others).
    """
    class_names = list(class_names)
    if len({c.name for c in corpora}) != len(corpora):
        raise ValueError(f"Corpora to merge share a name: {[c.name for c in corpora]}")
    rates = {c.sample_rate for c in corpora}
    if len(rates) != 1:
        raise ValueError(f"Corpora differ in sample rate: {sorted(rates)}")
    labels = []
    for c in corpora:
        if set(c.class_names) != set(class_names):
            raise ValueError(f"{c.name} has classes {c.class_names}, not {class_names}")
        to_shared = np.array([class_names.index(n) for n in c.class_names], np.int32)
        labels.append(to_shared[c.labels])
    return Corpus(
        name=name or SEPARATOR.join(c.name for c in corpora),
        audio=[a for c in corpora for a in c.audio],
        labels=np.concatenate(labels).astype(np.int32),
        speakers=np.concatenate(
            [np.char.add(f"{c.name}{PREFIX}", c.speakers) for c in corpora]
        ),
        genders=np.concatenate([c.genders for c in corpora]),
        file_names=np.concatenate(
            [np.char.add(f"{c.name}{PREFIX}", c.file_names) for c in corpora]
        ),
        class_names=class_names,
        sample_rate=rates.pop(),
        sessions=(
            np.concatenate(
                [np.char.add(f"{c.name}{PREFIX}", c.sessions) for c in corpora]
            )
            if all(c.sessions is not None for c in corpora)
            else None
        ),
        ratings={
            key: np.concatenate(
                [
                    c.ratings.get(key, np.full(len(c.labels), np.nan, np.float32))
                    for c in corpora
                ]
            ).astype(np.float32)
            for key in sorted({k for c in corpora for k in c.ratings})
        },
    )


def combine(corpora: Sequence[Corpus]) -> Corpus:
    """Several corpora as one over the emotions they share.

    The result's `label_maps` holds, per corpus (in the order given), its map
    of emotions onto the shared ones; its classes are the shared emotions in
    the first corpus's order.
    """
    maps = emotions.shared_label_map(*(c.class_names for c in corpora))
    class_names = list(maps[0].values())
    merged = merge_corpora(
        [c.relabel(m) for c, m in zip(corpora, maps, strict=True)], class_names
    )
    merged.label_maps = {c.name: m for c, m in zip(corpora, maps, strict=True)}
    return merged
