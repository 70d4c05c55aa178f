"""A small, editable price table for cost estimates (USD per million tokens).

Prices change; edit ``PRICES`` (or set ``OPSRELAY_PRICES`` to a JSON file of the same shape) to
match your provider. Unknown models cost 0 and are reported as such, never guessed.
"""

from __future__ import annotations

import json
import os
from functools import cache

# model: (input, cached input, output) in USD per 1M tokens.
PRICES: dict[str, tuple[float, float, float]] = {
    "gpt-4.1": (2.00, 0.50, 8.00),
    "gpt-4.1-mini": (0.40, 0.10, 1.60),
    "gpt-4.1-nano": (0.10, 0.025, 0.40),
    "gpt-4o": (2.50, 1.25, 10.00),
    "gpt-4o-mini": (0.15, 0.075, 0.60),
}


@cache
def _table() -> dict[str, tuple[float, float, float]]:
    path = os.environ.get("OPSRELAY_PRICES")
    if not path:
        return PRICES
    with open(path, encoding="utf-8") as fh:
        extra = json.load(fh)
    return {**PRICES, **{k: (float(v[0]), float(v[1]), float(v[2])) for k, v in extra.items()}}


def estimate_cost(model: str, tokens_in: int, tokens_out: int, cached_in: int = 0) -> float:
    """Estimated USD for one call; cached input tokens are billed at the cached rate."""
    price = _table().get(model)
    if price is None:
        return 0.0
    p_in, p_cached, p_out = price
    fresh = max(0, tokens_in - cached_in)
    return round((fresh * p_in + cached_in * p_cached + tokens_out * p_out) / 1_000_000, 8)
