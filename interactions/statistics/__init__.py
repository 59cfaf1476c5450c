"""Statistics: what the attached checkpoints add up to (API.md Statistics, DESIGN.md).

Every figure is exact at the time of the request. A checkpoint counts in a period when it was
attached in it, under the reference its row recorded (a deleted checkpoint's history still
counts); periods are whole days in the site's ``TIME_ZONE``, read as half-open ranges of
``attached_at``. Each attached row records its interaction's channel, so no report joins the
interactions to filter by channel. Nothing is added to the attach hot path (no counter row).

Closed days are read from daily rollups folded once, outside requests (``rollup``: the
checkpoints reached, the interactions started; ``journeys``: each interaction's sequence of the
day; ``windows``: the presets' closed days summed), today and any day not folded from the
attached rows, in one statement per report. Two covering indexes serve those reads:
``(attached_at)`` and ``(reference, attached_at)``, with the interaction, routing and channel.

- ``params``: the reports' parameters and their rules, shared by the pages and the API;
- ``selectors``: the reports (overview, trend series, funnel, A/B test, journeys) and the
  history filter behind a funnel's drop-off links;
- ``sql``: the step-by-step SQL that funnels, A/B tests and that filter share;
- ``rollup``, ``journeys``, ``windows``: the folds and the reads of what they folded;
- ``figures``: the arithmetic (rates, percentiles, Wilson interval, two-proportion test);
- ``views``, ``api``, ``export``, ``charts``: pages, REST endpoints, CSV and SVG.
"""
