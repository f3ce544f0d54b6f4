"""A smoothed n-gram baseline over the melody model's tokens: interpolated Kneser-Ney (Chen & Goodman
1999) with one absolute discount per order, the lowest order interpolated with a uniform
distribution over the vocabulary. Used by benchmarks/melody_bench.py for the perplexity comparison.
"""

from __future__ import annotations

import math
from collections import Counter


class KneserNey:
    """An order-`order` interpolated Kneser-Ney model over token sequences."""

    def __init__(self, order: int, vocabulary_size: int, discount: float = 0.75):
        self.order, self.vocabulary_size, self.discount = order, vocabulary_size, discount
        self.counts: list[Counter] = [Counter() for _ in range(order + 1)]  # k: (context of k-1, word) -> count
        self.context_totals: list[Counter] = [Counter() for _ in range(order + 1)]
        self.context_types: list[Counter] = [Counter() for _ in range(order + 1)]

    def fit(self, sequences: list[list[str]]) -> KneserNey:
        highest: Counter = Counter()
        for sequence in sequences:
            padded = ["<s>"] * (self.order - 1) + sequence
            for i in range(self.order - 1, len(padded)):
                highest[tuple(padded[i - self.order + 1:i + 1])] += 1
        self.counts[self.order] = highest
        # Lower orders count distinct left extensions (continuation counts).
        for k in range(self.order - 1, 0, -1):
            continuation: Counter = Counter()
            for gram in self.counts[k + 1]:
                continuation[gram[1:]] += 1
            self.counts[k] = continuation
        for k in range(1, self.order + 1):
            totals, types = Counter(), Counter()
            for gram, count in self.counts[k].items():
                totals[gram[:-1]] += count
                types[gram[:-1]] += 1
            self.context_totals[k], self.context_types[k] = totals, types
        return self

    def probability(self, context: tuple[str, ...], word: str) -> float:
        probability = 1.0 / self.vocabulary_size
        for k in range(1, self.order + 1):
            history = context[len(context) - (k - 1):] if k > 1 else ()
            total = self.context_totals[k].get(history, 0)
            if not total:
                continue
            count = self.counts[k].get(history + (word,), 0)
            backoff = self.discount * self.context_types[k][history] / total
            probability = max(count - self.discount, 0) / total + backoff * probability
        return probability

    def log_likelihood(self, sequence: list[str], first_scored: int) -> tuple[float, int]:
        """(sum of natural-log probabilities, tokens scored) of sequence[first_scored:] given what precedes."""
        padded = ["<s>"] * (self.order - 1) + sequence
        total, scored = 0.0, 0
        for i in range(self.order - 1 + first_scored, len(padded)):
            total += math.log(self.probability(tuple(padded[i - self.order + 1:i]), padded[i]))
            scored += 1
        return total, scored

