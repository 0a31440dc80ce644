"""The fault matrix: every way the console can misbehave, each with the outcome a user sees.

One module per theme, each a table of ``Scenario`` rows run by one parametrized test whose ids
are the scenario names (``pytest tests/faults -k dns_failure``):

- ``test_login.py``: tokens, logins, a permission the console user lacks;
- ``test_rate_limits.py``: 429s and their ``Retry-After``;
- ``test_outages.py``: server errors, redirects, resets, timeouts, stalls, DNS, TLS;
- ``test_bodies.py``: answers that cannot be read;
- ``test_paging.py``: the account changing while it is paged, and 5,000 SIMs;
- ``test_sim_data.py``: odd SIM states, state reads, ids and names.

``harness.py`` holds the row type, the ``World`` a row acts on and the runner that asserts
availability, requests, logs, the next attempt, recovery and secret hygiene; ``conftest.py``
the fixtures. ``docs/reliability.md`` lists the same scenarios, theme by theme, with their
outcomes; ``test_reliability_doc.py`` keeps the two in step.
"""
