"""A deterministic synthetic "acted emotion" corpus, for tests and plumbing checks.

What it is
    Speech-*like* audio made with a source-filter model in numpy/scipy: a
    Rosenberg glottal-pulse train driven by a time-varying F0 contour (with
    jitter, shimmer and optional tremor), pulse-synchronous aspiration noise,
    a spectral-tilt filter, a cascade of four formant resonators whose targets
    change from "syllable" to "syllable" (five vowel qualities), noise-burst
    "consonants", a syllable-rate amplitude envelope and pauses (so there are
    silent and unvoiced stretches). Each clip is labelled with one of the
    seven EMO-DB emotions, a speaker (8 by default, half female, half male)
    and the speaker's gender, at 16 kHz.

    The emotion is carried only by designed prosodic/voice-quality cues
    (F0 level, range and contour slope, tempo, pausing, loudness, jitter,
    shimmer, spectral tilt, breathiness, small formant shifts), loosely
    following the directions reported for acted speech (e.g. Banse & Scherer
    1996; Murray & Arnott 1993): anger and happiness high, wide and loud;
    fear high, fast, breathy and trembling; sadness and boredom low, narrow,
    slow and falling; disgust slow and strongly falling.

    Speaker differences deliberately overlap the emotion cues: base F0
    (male ~100-140 Hz, female ~180-240 Hz, so an angry high male overlaps a
    neutral low female), vocal-tract length, speaking rate, loudness,
    breathiness, how strongly the speaker expresses emotions, and a
    speaker-specific "style" offset for every emotion; every utterance also
    gets its own random variation. Hence a speaker-independent classifier on
    simple features is well above chance but clearly below 100 %.

What it is NOT
    It is not speech: there are no words, phonemes or language, and it
    sounds like a buzzy vowel-like babble. The emotion cues are a designed
    caricature chosen by the author of this file, not measured from people.
    Accuracies obtained on it say whether a pipeline *works* (data loading,
    speaker-independent splitting, training, evaluation), not how well a
    model recognises emotion; they are not comparable with numbers on real
    corpora such as EMO-DB or RAVDESS.

Determinism
    Every utterance draws from its own ``numpy.random.Generator`` seeded from
    ``(seed, speaker, emotion, index)``, and speaker traits from
    ``(seed, speaker)``, so a clip does not depend on which other clips are
    generated or in which order.

The ``synthetic`` TFDS builder (``synthetic_dataset_builder.py``) stores
:func:`generate_corpus`'s clips; this module needs only numpy and scipy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

import numpy as np
from scipy import signal

SAMPLE_RATE = 16000

EMOTIONS = ("anger", "boredom", "disgust", "fear", "happiness", "sadness", "neutral")
GENDERS = ("female", "male")

MIN_DURATION_S = 1.0
MAX_DURATION_S = 4.0

# Seed-sequence tags, so the different random streams never collide.
_TAG_SPEAKER = 0
_TAG_UTTERANCE = 1
_TAG_STYLE = 2
_TAG_F0_STRATA = 3

# Peterson & Barney (1952) style male formant targets (Hz) for five vowels
# (roughly /i/, /e/, /a/, /o/, /u/); F4 is a fixed 3500 Hz.
_VOWEL_FORMANTS = np.array(
    [
        [280.0, 2250.0, 2900.0, 3500.0],
        [500.0, 1850.0, 2500.0, 3500.0],
        [730.0, 1100.0, 2450.0, 3500.0],
        [520.0, 880.0, 2400.0, 3500.0],
        [310.0, 870.0, 2250.0, 3500.0],
    ]
)
_FORMANT_BANDWIDTHS = np.array([70.0, 100.0, 140.0, 220.0])


@dataclasses.dataclass(frozen=True)
class EmotionProfile:
    """Designed prosody and voice-quality settings of one emotion."""

    f0_scale: float  # Multiplies the speaker's base F0.
    f0_range_st: float  # Size of pitch accents, semitones.
    f0_slope_st: float  # F0 change over the whole utterance, semitones.
    tempo: float  # Multiplies the speaker's syllable rate.
    pause_prob: float  # Probability of a pause after a syllable.
    loudness_db: float  # Level relative to neutral.
    jitter: float  # Relative std of the glottal period, per cycle.
    shimmer: float  # Relative std of the pulse amplitude, per cycle.
    tilt: float  # Pole of the one-pole source low-pass (higher = duller).
    open_quotient: float  # Glottal open phase (lower = tenser, brighter).
    breathiness: float  # Aspiration-noise level, relative.
    formant_shift: float  # Multiplies F1 and F2.
    tremor_st: float = 0.0  # 5-7 Hz F0 tremor depth, semitones.


EMOTION_PROFILES: dict[str, EmotionProfile] = {
    #                          f0    range slope tempo pause loud  jitter shimmer tilt  OQ    breath formant tremor
    "anger": EmotionProfile(    1.35, 4.5, -1.5, 1.12, 0.10,  8.0, 0.012, 0.05,  0.45, 0.42, 0.5,  1.06),
    "boredom": EmotionProfile(  0.90, 1.0, -2.0, 0.80, 0.20, -2.5, 0.010, 0.05,  0.82, 0.70, 0.8,  0.98),
    "disgust": EmotionProfile(  0.97, 3.0, -5.0, 0.74, 0.28,  1.0, 0.030, 0.10,  0.74, 0.62, 1.8,  0.92),
    "fear": EmotionProfile(     1.50, 3.0,  1.0, 1.22, 0.20,  2.0, 0.025, 0.08,  0.66, 0.58, 2.5,  1.03, 0.8),
    "happiness": EmotionProfile(1.30, 6.0,  0.0, 1.08, 0.12,  4.0, 0.010, 0.04,  0.55, 0.50, 0.7,  1.10),
    "sadness": EmotionProfile(  0.88, 1.5, -3.0, 0.72, 0.30, -6.0, 0.015, 0.06,  0.92, 0.74, 2.2,  0.94, 0.3),
    "neutral": EmotionProfile(  1.00, 2.5, -1.5, 1.00, 0.15,  0.0, 0.008, 0.035, 0.70, 0.60, 1.0,  1.00),
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class SpeakerProfile:
    """Traits of one synthetic speaker."""

    speaker: str  # "00", "01", ...
    gender: str  # "female" or "male"
    f0_hz: float  # Base F0.
    vtl_scale: float  # Formant scaling (shorter vocal tract = higher).
    syllable_rate: float  # Syllables per second in neutral speech.
    loudness_db: float  # Level offset.
    breathiness: float  # Aspiration-noise multiplier.
    tilt_offset: float  # Added to the emotion's source-filter pole.
    expressiveness: float  # Scales every emotion's deviation from neutral.


def speaker_profiles(seed: int = 0, num_speakers: int = 8) -> list[SpeakerProfile]:
    """The speakers of the corpus for ``seed``: even ids female, odd ids male.

    Base F0s are stratified so that both ends of the male (100-140 Hz) and
    female (180-240 Hz) ranges are used, whatever the seed.
    """
    if not 1 <= num_speakers <= 100:
        raise ValueError(f"num_speakers must be in [1, 100], got {num_speakers}")
    genders = [GENDERS[i % 2] for i in range(num_speakers)]
    strata_rng = np.random.default_rng([seed, _TAG_F0_STRATA])
    strata = {}
    for gender in GENDERS:
        n = genders.count(gender)
        strata[gender] = list(strata_rng.permutation(n)) if n else []
    profiles = []
    for i, gender in enumerate(genders):
        rng = np.random.default_rng([seed, _TAG_SPEAKER, i])
        n_same = genders.count(gender)
        stratum = strata[gender].pop()
        pos = (stratum + rng.uniform()) / n_same
        if gender == "male":
            f0 = 100.0 + 40.0 * pos
            vtl = rng.uniform(0.93, 1.05)
        else:
            f0 = 180.0 + 60.0 * pos
            vtl = rng.uniform(1.10, 1.22)
        profiles.append(
            SpeakerProfile(
                speaker=f"{i:02d}",
                gender=gender,
                f0_hz=float(f0),
                vtl_scale=float(vtl),
                syllable_rate=float(rng.uniform(3.8, 5.4)),
                loudness_db=float(rng.uniform(-3.0, 3.0)),
                breathiness=float(rng.uniform(0.5, 1.6)),
                tilt_offset=float(rng.uniform(-0.06, 0.06)),
                expressiveness=float(rng.uniform(0.75, 1.15)),
            )
        )
    return profiles


def _speaker_style(seed: int, speaker_idx: int, emotion_idx: int) -> dict[str, float]:
    """Speaker-specific offsets for one emotion (how *this* speaker acts it)."""
    rng = np.random.default_rng([seed, _TAG_STYLE, speaker_idx, emotion_idx])
    return {
        "f0_st": rng.normal(0.0, 1.2),
        "range_log": rng.normal(0.0, 0.25),
        "tempo_log": rng.normal(0.0, 0.08),
        "loud_db": rng.normal(0.0, 1.0),
        "tilt": rng.normal(0.0, 0.04),
        "slope_st": rng.normal(0.0, 0.8),
    }


def _effective_profile(
    emotion: str, speaker: SpeakerProfile, style: dict[str, float]
) -> EmotionProfile:
    """Blends the emotion with neutral by the speaker's expressiveness."""
    emo = EMOTION_PROFILES[emotion]
    neu = EMOTION_PROFILES["neutral"]
    k = speaker.expressiveness

    def lin(a, b):
        return b + k * (a - b)

    def log(a, b):
        return float(np.exp(np.log(b) + k * (np.log(a) - np.log(b))))

    return EmotionProfile(
        f0_scale=log(emo.f0_scale, neu.f0_scale) * 2 ** (style["f0_st"] / 12),
        f0_range_st=log(emo.f0_range_st, neu.f0_range_st) * np.exp(style["range_log"]),
        f0_slope_st=lin(emo.f0_slope_st, neu.f0_slope_st) + style["slope_st"],
        tempo=log(emo.tempo, neu.tempo) * np.exp(style["tempo_log"]),
        pause_prob=lin(emo.pause_prob, neu.pause_prob),
        loudness_db=lin(emo.loudness_db, neu.loudness_db) + style["loud_db"],
        jitter=log(emo.jitter, neu.jitter),
        shimmer=log(emo.shimmer, neu.shimmer),
        tilt=float(
            np.clip(
                lin(emo.tilt, neu.tilt) + style["tilt"] + speaker.tilt_offset, 0.3, 0.95
            )
        ),
        open_quotient=lin(emo.open_quotient, neu.open_quotient),
        breathiness=log(emo.breathiness, neu.breathiness) * speaker.breathiness,
        formant_shift=log(emo.formant_shift, neu.formant_shift),
        tremor_st=k * emo.tremor_st,
    )


def _resonator_sos(freqs: np.ndarray, bandwidths: np.ndarray) -> np.ndarray:
    """Cascade of 2-pole resonators (unit gain at DC) as second-order sections."""
    nyq = SAMPLE_RATE / 2
    freqs = np.minimum(freqs, 0.9 * nyq)
    r = np.exp(-np.pi * bandwidths / SAMPLE_RATE)
    theta = 2 * np.pi * freqs / SAMPLE_RATE
    a1 = -2 * r * np.cos(theta)
    a2 = r**2
    b0 = 1 + a1 + a2
    zeros = np.zeros_like(b0)
    ones = np.ones_like(b0)
    return np.stack([b0, zeros, zeros, ones, a1, a2], axis=1)


def _smooth(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average (same length, zero-padded) along the last axis."""
    if width <= 1:
        return x
    n = x.shape[-1]
    pad = [(0, 0)] * (x.ndim - 1) + [(width // 2 + 1, width)]
    c = np.cumsum(np.pad(x, pad), axis=-1)
    return (c[..., width : width + n] - c[..., :n]) / width


def _plan_syllables(rng, duration_s, rate, pause_prob):
    """Syllable (start, end) times in seconds, with pauses between some."""
    t = rng.uniform(0.05, 0.25)
    end = duration_s - rng.uniform(0.05, 0.2)
    sylls = []
    shape = 6.0
    while t < end - 0.08:
        d = rng.gamma(shape, 1.0 / (shape * rate))
        d = float(np.clip(d, 0.08, 0.6))
        d = min(d, end - t)
        if d < 0.06:
            break
        sylls.append((t, t + d))
        t += d
        if rng.uniform() < pause_prob:
            t += rng.uniform(0.08, 0.35)
    if not sylls:  # Always at least one syllable.
        sylls.append((0.1 * duration_s, 0.9 * duration_s))
    return sylls


def synthesize_utterance(
    rng: np.random.Generator,
    speaker: SpeakerProfile,
    emotion: str,
    style: dict[str, float] | None = None,
) -> np.ndarray:
    """One float32 clip in [-1, 1], 1-4 s at 16 kHz."""
    fs = SAMPLE_RATE
    if style is None:
        style = dict.fromkeys(("f0_st", "range_log", "tempo_log", "loud_db"), 0.0)
        style.update(tilt=0.0, slope_st=0.0)
    p = _effective_profile(emotion, speaker, style)

    # Per-utterance variation.
    f0_base = speaker.f0_hz * p.f0_scale * np.exp(rng.normal(0.0, 0.06))
    rate = speaker.syllable_rate * p.tempo * np.exp(rng.normal(0.0, 0.08))
    f0_range = p.f0_range_st * np.exp(rng.normal(0.0, 0.2))
    slope = p.f0_slope_st + rng.normal(0.0, 0.7)
    level_db = -26.0 + speaker.loudness_db + p.loudness_db + rng.normal(0.0, 1.5)
    tilt = float(np.clip(p.tilt + rng.normal(0.0, 0.03), 0.3, 0.95))

    duration_s = rng.uniform(MIN_DURATION_S, MAX_DURATION_S)
    n = int(round(duration_s * fs))
    t = np.arange(n) / fs

    # Syllables: optional unvoiced onset "consonant", then a voiced nucleus.
    sylls = _plan_syllables(rng, duration_s, rate, p.pause_prob)
    voiced = np.zeros(n)
    frication = np.zeros(n)
    fric_type = np.zeros((2, n))
    vowel_weights = np.zeros((len(_VOWEL_FORMANTS), n))
    contour_st = np.zeros(n)
    accent_width = 0.5 / rate
    for start, end in sylls:
        i0, i1 = int(start * fs), int(end * fs)
        onset = i0
        if rng.uniform() < 0.55:  # Unvoiced onset.
            onset = i0 + int((i1 - i0) * rng.uniform(0.2, 0.4))
            frication[i0:onset] = rng.uniform(0.5, 1.0)
            fric_type[rng.integers(2), i0:onset] = 1.0
        voiced[onset:i1] = 1.0
        vowel_weights[rng.integers(len(_VOWEL_FORMANTS)), onset:i1] = 1.0
        if rng.uniform() < 0.55:  # Pitch accent.
            center = 0.5 * (onset + i1) / fs
            height = (
                f0_range * rng.uniform(0.4, 1.0) * (1 if rng.uniform() < 0.85 else -1)
            )
            lo = max(0, int((center - 3 * accent_width) * fs))
            hi = min(n, int((center + 3 * accent_width) * fs))
            tt = t[lo:hi] - center
            contour_st[lo:hi] += height * np.exp(-0.5 * (tt / accent_width) ** 2)
    ramp = int(0.02 * fs)
    voiced = _smooth(voiced, ramp)
    frication = _smooth(frication, int(0.01 * fs))
    fric_type = _smooth(fric_type, int(0.01 * fs))
    # Vowel transitions: a 40 ms cross-fade; outside voicing keep the last vowel.
    vowel_weights = _smooth(vowel_weights, int(0.04 * fs))
    vowel_weights /= np.maximum(vowel_weights.sum(axis=0, keepdims=True), 1e-6)

    # F0 contour (semitones around the utterance's base), then Hz.
    contour_st += slope * (t / duration_s - 0.5)
    wander = _smooth(rng.normal(0.0, 1.0, n), int(0.25 * fs))
    contour_st += 0.6 * wander / max(np.std(wander), 1e-9)
    if p.tremor_st > 0:
        trem_rate = rng.uniform(5.0, 7.0)
        contour_st += p.tremor_st * np.sin(
            2 * np.pi * trem_rate * t + rng.uniform(0, 6.3)
        )
    f0 = np.clip(f0_base * 2 ** (contour_st / 12), 60.0, 600.0)

    # Jitter: perturb each glottal cycle's frequency.
    n_cycles_max = int(np.sum(f0) / fs) + 2
    cycle0 = np.floor(np.cumsum(f0) / fs).astype(np.int64)
    jit = 1.0 + p.jitter * rng.standard_normal(n_cycles_max)
    f0 = f0 * jit[np.minimum(cycle0, n_cycles_max - 1)]
    phase = np.cumsum(f0) / fs
    frac = phase - np.floor(phase)
    cycle = np.minimum(np.floor(phase).astype(np.int64), n_cycles_max - 1)

    # Rosenberg glottal flow; its derivative (with lip radiation) excites the tract.
    oq = np.clip(p.open_quotient + rng.normal(0.0, 0.03), 0.3, 0.85)
    tp, tn = 0.65 * oq, 0.35 * oq
    flow = np.where(
        frac < tp,
        0.5 * (1 - np.cos(np.pi * frac / tp)),
        np.where(frac < tp + tn, np.cos(np.pi * (frac - tp) / (2 * tn)), 0.0),
    )
    shim = 1.0 + p.shimmer * rng.standard_normal(n_cycles_max)
    flow *= np.clip(shim[cycle], 0.2, None)
    excitation = np.diff(flow, prepend=flow[0])
    excitation = signal.lfilter([1 - tilt], [1, -tilt], excitation)
    excitation /= max(np.sqrt(np.mean(excitation**2)), 1e-9)

    aspiration = rng.standard_normal(n) * np.where(frac < oq, 1.0, 0.4)
    source = (excitation + 0.12 * p.breathiness * aspiration) * voiced

    # Vocal tract: per-vowel formant cascades, cross-faded by vowel weights.
    scale = speaker.vtl_scale * np.array([p.formant_shift, p.formant_shift, 1.0, 1.0])
    voice = np.zeros(n)
    for v in np.flatnonzero(vowel_weights.max(axis=1) > 0):
        formants = _VOWEL_FORMANTS[v] * scale * np.exp(rng.normal(0.0, 0.03, 4))
        sos = _resonator_sos(formants, _FORMANT_BANDWIDTHS * speaker.vtl_scale)
        voice += vowel_weights[v] * signal.sosfilt(sos, source)

    # Unvoiced "consonants": band-passed noise bursts, "s"-like (high band)
    # or "sh"-like (mid band), scaled by the speaker's vocal-tract length.
    white = rng.standard_normal(n)
    voice_rms = np.sqrt(np.sum(voice**2) / max(np.sum(voiced > 0.5), 1))
    noise = np.zeros(n)
    for k, (lo_hz, hi_hz) in enumerate(((3800.0, 7000.0), (2200.0, 4500.0))):
        band = signal.butter(
            2,
            [
                lo_hz * speaker.vtl_scale**0.5,
                min(hi_hz * speaker.vtl_scale**0.5, 7600.0),
            ],
            "bandpass",
            fs=fs,
            output="sos",
        )
        filtered = signal.sosfilt(band, white)
        noise += fric_type[k] * filtered / max(np.std(filtered), 1e-9)
    noise *= 0.15 * voice_rms
    audio = voice + noise * frication

    # Level: set the active-speech RMS, keep 1 dB of headroom, add a noise floor.
    active = (voiced > 0.5) | (frication > 0.5)
    rms = np.sqrt(np.mean(audio[active] ** 2)) if np.any(active) else 1.0
    audio *= 10 ** (level_db / 20) / max(rms, 1e-9)
    peak = np.max(np.abs(audio))
    if peak > 0.89:
        audio *= 0.89 / peak
    audio += 10 ** (-70 / 20) * rng.standard_normal(n)
    return np.clip(audio, -1.0, 1.0).astype(np.float32)


def generate_corpus(
    seed: int = 0,
    utterances_per_emotion: int = 20,
    num_speakers: int = 8,
    speakers: Iterable[str] | None = None,
) -> Iterator[dict]:
    """Yields the corpus, speaker by speaker, emotion by emotion.

    Each item is a dict with ``audio`` (float32 in [-1, 1], 16 kHz, 1-4 s),
    ``emotion`` (one of :data:`EMOTIONS`), ``speaker`` ("00".."07"),
    ``gender`` ("female"/"male"), ``utterance_id`` (the index of the clip
    within its speaker and emotion, 0-based) and ``file_name`` (e.g.
    ``"spk03_anger_007"``).

    ``speakers``, if given, restricts the output to those speaker ids (e.g.
    ``["03"]``); their clips are identical to the ones in the full corpus.
    """
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    if utterances_per_emotion < 1:
        raise ValueError(
            f"utterances_per_emotion must be >= 1, got {utterances_per_emotion}"
        )
    profiles = speaker_profiles(seed, num_speakers)
    wanted = None if speakers is None else set(speakers)
    if wanted is not None and wanted - {p.speaker for p in profiles}:
        unknown = sorted(wanted - {p.speaker for p in profiles})
        raise ValueError(f"unknown speakers {unknown} for num_speakers={num_speakers}")
    for spk_idx, speaker in enumerate(profiles):
        if wanted is not None and speaker.speaker not in wanted:
            continue
        for emo_idx, emotion in enumerate(EMOTIONS):
            style = _speaker_style(seed, spk_idx, emo_idx)
            for index in range(utterances_per_emotion):
                rng = np.random.default_rng(
                    [seed, _TAG_UTTERANCE, spk_idx, emo_idx, index]
                )
                yield {
                    "audio": synthesize_utterance(rng, speaker, emotion, style),
                    "emotion": emotion,
                    "speaker": speaker.speaker,
                    "gender": speaker.gender,
                    "utterance_id": index,
                    "file_name": f"spk{speaker.speaker}_{emotion}_{index:03d}",
                }
