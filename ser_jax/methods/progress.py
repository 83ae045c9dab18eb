"""The training log line: fold k of K, epoch, loss, validation UAR, steps/s, ETA."""

from __future__ import annotations

import time

from absl import logging


class Progress:
    """Logs each finished epoch with the run's ETA over every epoch still to train."""

    def __init__(self, num_folds: int, num_epochs: int, epochs_to_train: int):
        """`epochs_to_train`: every epoch of every model this invocation may train."""
        self.num_folds, self.num_epochs = num_folds, num_epochs
        self.remaining_epochs = epochs_to_train
        self.start = time.time()
        self.done_epochs = 0

    def epoch_done(self, fold, epoch, loss, val_uar, meta, steps_per_second) -> None:
        self.done_epochs += 1
        self.remaining_epochs -= 1
        per_epoch = (time.time() - self.start) / self.done_epochs
        eta = per_epoch * self.remaining_epochs
        logging.info(
            "fold %d/%d epoch %d/%d: train loss %.4f, val UAR %.1f%% (best %s %.1f%% @ %d), "
            "%.2f steps/s, ETA %s",
            fold + 1,
            self.num_folds,
            epoch,
            self.num_epochs,
            loss,
            100 * val_uar,
            meta.get("select_by", "uar").upper(),
            100 * meta.get("best_val", meta["best_val_uar"]),
            meta["best_epoch"],
            steps_per_second,
            time.strftime("%H:%M:%S", time.gmtime(eta)),
        )
