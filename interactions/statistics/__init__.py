"""Statistics: what the attached checkpoints add up to (API.md Statistics, DESIGN.md).

Every figure is read from the attached rows themselves, at the time of the request: exact and
current, with nothing to fold, refresh or invalidate, and nothing added to the attach hot path.
A checkpoint counts in a period when it was attached in it, under the reference its row
recorded (a deleted checkpoint's history still counts); periods are whole days in the site's
``TIME_ZONE``, read as half-open ranges of ``attached_at``.

Two covering indexes serve the reads (interactions/migrations/0007): ``(attached_at)`` with
the reference, the interaction and the routing (the overview and the journeys scan a period's
rows in the index alone on PostgreSQL), and ``(reference, attached_at)`` with the interaction
and the routing (each funnel step, A/B variant and chosen trend line reads only its own
reference's rows of the period).

- ``params``: the reports' parameters and their rules, shared by the pages and the API;
- ``selectors``: the reports (overview, trend series, funnel, A/B test, journeys) and the
  history filter behind a funnel's drop-off links;
- ``sql``: the step-by-step SQL that funnels, A/B tests and that filter share;
- ``figures``: the arithmetic (rates, percentiles, Wilson interval, two-proportion test);
- ``views``, ``api``, ``export``, ``charts``: pages, REST endpoints, CSV and SVG.
"""
