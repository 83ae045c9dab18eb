"""Data: from a TFDS corpus of raw 16 kHz audio to the batches a step consumes.

    TFDS speaker splits --load--> Corpus --protocols--> folds of speakers
        --segments--> fixed-width int16 segments --batches--> device batches

- `corpus`: `Corpus`, one corpus in memory (no TensorFlow), and merging several.
- `emotions`: emotion synonyms, shared label maps, activation/valence classes.
- `load`: TFDS builder -> `Corpus` (building the corpus first when it can).
- `protocols`: speaker-independent folds and the leakage guard.
- `segments`: utterances -> padded segments of at most N samples.
- `batches`: segments -> fixed-size (shuffled, oversampled, copied) batches.
"""
