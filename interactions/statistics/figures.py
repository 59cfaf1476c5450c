"""The arithmetic of the statistics: rates, percentiles, the Wilson interval and the
two-proportion test. Pure functions on numbers, no database."""

import math

RATE_DIGITS = 4  # API.md: rates are fractions rounded to 4 decimals
SECONDS_DIGITS = 3
Z_95 = 1.959963984540054  # the standard normal quantile for a two-sided 95 % interval


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 decimals; None when ``whole`` is 0 (no rate to give)."""
    if whole == 0:
        return None
    return round(part / whole, RATE_DIGITS)


def percentile_rank(count: int, fraction: float) -> tuple[int, float]:
    """Where the ``fraction`` percentile of ``count`` sorted values lies, as the 0-based rank
    below it and the share of the way to the next one (linear interpolation, as PostgreSQL's
    ``percentile_cont`` and numpy's default)."""
    position = (count - 1) * fraction
    low = math.floor(position)
    return low, position - low


def percentile(values_at_rank: dict[int, float], count: int, fraction: float) -> float | None:
    """The ``fraction`` percentile of ``count`` sorted values of which ``values_at_rank`` holds
    at least the ranks percentile_rank() names; None when there are no values."""
    if count == 0:
        return None
    low, share = percentile_rank(count, fraction)
    value = values_at_rank[low]
    if share:
        value += (values_at_rank[low + 1] - value) * share
    return round(value, SECONDS_DIGITS)


def wilson_interval(successes: int, trials: int) -> tuple[float, float] | None:
    """The Wilson score interval at 95 % for ``successes`` out of ``trials``, rounded to 4
    decimals; None without trials."""
    if trials == 0:
        return None
    p = successes / trials
    z2 = Z_95 * Z_95
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    margin = Z_95 * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return round(max(0.0, centre - margin), RATE_DIGITS), round(
        min(1.0, centre + margin), RATE_DIGITS
    )


def two_proportion_p_value(k1: int, n1: int, k2: int, n2: int) -> float | None:
    """The two-sided p-value of the pooled two-proportion z-test of k1/n1 against k2/n2;
    None when either has no trials, 1.0 when both rates are 0 or both 1 (no difference)."""
    if n1 == 0 or n2 == 0:
        return None
    pooled = (k1 + k2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance == 0:
        return 1.0
    z = (k2 / n2 - k1 / n1) / math.sqrt(variance)
    return round(math.erfc(abs(z) / math.sqrt(2)), RATE_DIGITS)


def enough_data(successes: int, trials: int, *, minimum_trials: int = 30) -> bool:
    """The normal approximation behind the test holds: at least ``minimum_trials`` trials and
    five successes and five failures."""
    return trials >= minimum_trials and successes >= 5 and trials - successes >= 5


SIGNIFICANCE = 0.05


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def p_text(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def verdict(variants) -> str:
    """The A/B test in one sentence: which variants convert better or worse than the first
    with significance at 5 %, no clear difference, or not enough data yet. ``variants`` are
    selectors.Variant, the first being the baseline."""
    baseline = variants[0]
    if not all(enough_data(v.converted, v.interactions) for v in variants):
        return (
            "Not enough data yet: each variant needs at least 30 interactions, "
            "5 of them converted and 5 not."
        )
    sentences = []
    for variant in variants[1:]:
        if variant.p_value is None or variant.p_value >= SIGNIFICANCE:
            continue
        better = "better" if variant.conversion > baseline.conversion else "worse"
        sentences.append(
            f"{variant.name or variant.reference} converts {better} than "
            f"{baseline.name or baseline.reference}: {percent(variant.conversion)} vs "
            f"{percent(baseline.conversion)}, {p_text(variant.p_value)}."
        )
    if sentences:
        return " ".join(sentences)
    rates = " vs ".join(percent(v.conversion) for v in variants)
    closest = min(v.p_value for v in variants[1:])
    return f"No clear difference yet: {rates}, {p_text(closest)}."
