"""Per-frame F0 and voicing in JAX, on the device: Boersma's autocorrelation method.

Praat's `Sound: To Pitch (ac)` (Boersma 1993), the tracker Satt et al. used for
their harmonic filter, written for the jitted step: every frame at once, no
host round trip. Per frame: a Hann window of 3 periods of the pitch floor
(40 ms at 75 Hz) centred where the front-end's frame is centred, the local mean
removed; its autocorrelation divided by the window's; candidates are the local
maxima above half the voicing threshold between 1/ceiling and 1/floor,
refined by parabolic interpolation (Praat: sinc), each scored as Praat scores
it (`r - octave_cost * log2(ceiling / f)`), beside Praat's unvoiced candidate
(`voicing_threshold + max(0, 2 - (local peak / global peak) / (silence_threshold
/ (1 + voicing_threshold)))`). Praat's path finder then picks one candidate per
frame by dynamic programming, with costs for octave jumps and voicing changes:
a Viterbi pass over the frames in `lax.scan`. Unlike Praat, F0 is measured on
the front-end's frames rather than on Praat's own time grid;
`benchmarks/pitch_tracker.py` compares the two on RAVDESS.
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np

from ser_jax.frontends.framing import frame_signal

_NONE = -1e30  # the strength of a missing candidate


@dataclasses.dataclass(frozen=True)
class PitchTracker:
    """Praat's autocorrelation pitch tracker, frame by frame; Praat's defaults."""

    sample_rate: int = 16000
    pitch_floor: float = 75.0
    pitch_ceiling: float = 600.0
    periods_per_window: float = 3.0
    voicing_threshold: float = 0.45
    silence_threshold: float = 0.03
    octave_cost: float = 0.01
    octave_jump_cost: float = 0.35
    voiced_unvoiced_cost: float = 0.14
    num_candidates: int = 15

    @property
    def window_length(self) -> int:
        """Analysis window in samples (even): `periods_per_window / pitch_floor`."""
        return 2 * round(
            self.periods_per_window * self.sample_rate / self.pitch_floor / 2
        )

    @property
    def min_lag(self) -> int:
        return max(2, math.floor(self.sample_rate / self.pitch_ceiling))

    @property
    def max_lag(self) -> int:
        return math.ceil(self.sample_rate / self.pitch_floor)

    @property
    def n_fft(self) -> int:
        """Zero padding so that lags up to `max_lag + 1` do not wrap around."""
        return 1 << math.ceil(math.log2(self.window_length + self.max_lag + 2))

    def window(self) -> np.ndarray:
        return np.hanning(self.window_length + 2)[1:-1].astype(np.float32)

    def window_autocorrelation(self) -> np.ndarray:
        """The window's normalised autocorrelation at lags 0 .. max_lag + 1."""
        w = self.window().astype(np.float64)
        ac = np.correlate(w, w, mode="full")[len(w) - 1 :]
        return (ac[: self.max_lag + 2] / ac[0]).astype(np.float32)

    def frames(
        self, audio: jax.Array, frame_length: int, hop_length: int, num_frames: int
    ) -> jax.Array:
        """`[B, num_frames, window_length]`: windows centred on the centres of a
        front-end's frames (frame `t` covers `[t * hop, t * hop + frame_length)`)."""
        pad = self.window_length
        offset = pad + (frame_length - self.window_length) // 2
        padded = jnp.pad(audio, ((0, 0), (pad, 0)))[:, offset:]
        return frame_signal(padded, self.window_length, hop_length, num_frames)

    def __call__(
        self, audio: jax.Array, frame_length: int, hop_length: int, num_frames: int
    ) -> tuple[jax.Array, jax.Array]:
        """F0 in Hz (0 where unvoiced) and the voiced flag, both `[B, num_frames]`,
        on a front-end's frames. `audio` `[B, N]` is zero past each clip's end
        (`framing.mask_audio`), so frames there come out unvoiced."""
        frames = self.frames(audio, frame_length, hop_length, num_frames)
        frames = frames - frames.mean(axis=-1, keepdims=True)
        local_peak = jnp.abs(frames).max(axis=-1)
        global_peak = jnp.abs(audio).max(axis=-1, keepdims=True)
        intensity = jnp.minimum(local_peak / jnp.maximum(global_peak, 1e-12), 1.0)

        spectrum = jnp.fft.rfft(frames * self.window(), n=self.n_fft)
        power = jnp.real(spectrum) ** 2 + jnp.imag(spectrum) ** 2
        ac = jnp.fft.irfft(power, n=self.n_fft)[..., : self.max_lag + 2]
        energy = ac[..., :1]
        r = jnp.where(
            energy > 0,
            ac / jnp.maximum(energy, 1e-30) / self.window_autocorrelation(),
            0.0,
        )

        # Candidates: local maxima at lags min_lag .. max_lag (r[1 : max_lag + 1]).
        left, mid, right = r[..., :-2], r[..., 1:-1], r[..., 2:]
        lags = np.arange(1, self.max_lag + 1, dtype=np.float32)
        curvature = left - 2 * mid + right
        shift = jnp.where(
            curvature < 0, 0.5 * (left - right) / jnp.minimum(curvature, -1e-12), 0.0
        )
        shift = jnp.clip(shift, -0.5, 0.5)
        peak = mid - 0.25 * (left - right) * shift
        peak = jnp.where(peak > 1.0, 1.0 / peak, peak)
        frequency = self.sample_rate / (lags + shift)
        strength = peak - self.octave_cost * jnp.log2(self.pitch_ceiling / frequency)
        candidate = (
            (lags >= self.min_lag)
            & (mid > 0.5 * self.voicing_threshold)
            & (mid > left)
            & (mid >= right)
        )
        strength = jnp.where(candidate, strength, _NONE)
        strength, best = jax.lax.top_k(strength, self.num_candidates)
        frequency = jnp.take_along_axis(frequency, best, -1)

        unvoiced_strength = self.voicing_threshold + jnp.maximum(
            0.0,
            2.0 - intensity / (self.silence_threshold / (1.0 + self.voicing_threshold)),
        )
        # State 0 is unvoiced (frequency 0), states 1.. the voiced candidates.
        strength = jnp.concatenate([unvoiced_strength[..., None], strength], -1)
        frequency = jnp.concatenate([jnp.zeros_like(frequency[..., :1]), frequency], -1)
        path = self.best_path(strength, frequency, hop_length)
        f0 = jnp.take_along_axis(frequency, path[..., None], -1)[..., 0]
        return f0, path > 0

    def best_path(
        self, strength: jax.Array, frequency: jax.Array, hop_length: int
    ) -> jax.Array:
        """Praat's path finder (Viterbi over frames, `lax.scan`): the candidate
        index per frame `[B, T]` maximising the summed strengths less
        `octave_jump_cost` per octave between voiced frames and
        `voiced_unvoiced_cost` per voicing change (both scaled by 10 ms / hop)."""
        correction = 0.01 * self.sample_rate / hop_length
        jump_cost = self.octave_jump_cost * correction
        voicing_cost = self.voiced_unvoiced_cost * correction
        voiced = frequency > 0
        log_f = jnp.log2(jnp.maximum(frequency, 1.0))

        def transition(prev_voiced, prev_log_f, cur_voiced, cur_log_f):
            # [B, K_prev, K_cur]
            pv, cv = prev_voiced[..., :, None], cur_voiced[..., None, :]
            octave = jnp.abs(prev_log_f[..., :, None] - cur_log_f[..., None, :])
            return jnp.where(
                pv & cv, jump_cost * octave, jnp.where(pv == cv, 0.0, voicing_cost)
            )

        def step(carry, frame):
            delta, prev_voiced, prev_log_f = carry
            cur_strength, cur_voiced, cur_log_f = frame
            value = delta[..., :, None] - transition(
                prev_voiced, prev_log_f, cur_voiced, cur_log_f
            )
            back = jnp.argmax(value, axis=-2)
            delta = jnp.max(value, axis=-2) + cur_strength
            return (delta, cur_voiced, cur_log_f), back

        time_major = [jnp.moveaxis(a, 1, 0) for a in (strength, voiced, log_f)]
        init = (time_major[0][0], time_major[1][0], time_major[2][0])
        (delta, _, _), backs = jax.lax.scan(step, init, [a[1:] for a in time_major])
        last = jnp.argmax(delta, axis=-1)

        def trace(state, back):
            previous = jnp.take_along_axis(back, state[:, None], -1)[:, 0]
            return previous, state

        first, path = jax.lax.scan(trace, last, backs, reverse=True)
        return jnp.concatenate([first[:, None], jnp.moveaxis(path, 0, 1)], axis=1)
