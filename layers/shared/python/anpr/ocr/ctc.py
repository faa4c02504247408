"""CTC sequence scores: how probably a reader's per-step output spells a given label. Used to score
the EU band's letters against every listed code (``band``) and to settle two readers' different
readings of one crop (``decode.agree``): the forward algorithm sums over every alignment, so two
readers whose outputs peak at different steps are compared on the text, not step by step."""

from __future__ import annotations

import numpy as np


def label_log_likelihoods(log_probs: np.ndarray, labels: list[list[int]], blank: int) -> np.ndarray:
    """CTC log-likelihood of each label (a list of class indices) under the reader's per-step
    log-probabilities ``log_probs`` (T, classes): the forward algorithm, for all labels at once."""
    k = len(labels)
    s_len = np.array([2 * len(lab) + 1 for lab in labels])
    s_max = int(s_len.max())
    ext = np.full((k, s_max), blank, dtype=np.int64)  # blank, c1, blank, c2, ..., blank
    for i, lab in enumerate(labels):
        ext[i, 1 : 2 * len(lab) : 2] = lab
    skip = np.zeros((k, s_max), dtype=bool)  # a step may jump a blank between two different classes
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    inside = np.arange(s_max)[None, :] < s_len[:, None]
    a = np.full((k, s_max), -np.inf)
    a[:, 0] = log_probs[0, blank]
    a[:, 1] = np.where(s_len > 1, log_probs[0, ext[:, 1]], -np.inf)
    for t in range(1, log_probs.shape[0]):
        n = a.copy()
        n[:, 1:] = np.logaddexp(n[:, 1:], a[:, :-1])
        n[:, 2:] = np.where(skip[:, 2:], np.logaddexp(n[:, 2:], a[:, :-2]), n[:, 2:])
        a = np.where(inside, n + log_probs[t][ext], -np.inf)
    rows = np.arange(k)
    return np.logaddexp(a[rows, s_len - 1], a[rows, np.maximum(s_len - 2, 0)])
