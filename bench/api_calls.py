"""API calls to read and write N changed records through the connectors, against the
local emulator, beside the minimum the APIs' batch and page limits allow.

    .venv/bin/python bench/api_calls.py            # N = 1,000 and 10,000
    .venv/bin/python bench/api_calls.py 500 2000   # other sizes

Calls are counted by the emulator (every HTTP request it served, retries included).
The HubSpot client-side limits are opened up: they change how long a run takes against
the real API (searches at 5/s), not how many calls it makes. The limiter still follows
the emulator's X-HubSpot-RateLimit-* headers (190 calls per rolling 10 s, as HubSpot), so
the seconds column shows that pacing for the second 10,000-record HubSpot write.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

from mapc.emulator import Emulator, start_emulator
from mapc.runtime.hubspot.client import HubSpotConnector
from mapc.runtime.hubspot.limits import HubSpotLimiter
from mapc.runtime.salesforce.client import SalesforceConnector

SF = "* /services/data/*"
HS = "* /crm/*"


def measure(emulator: Emulator, pattern: str, action: Callable[[], int]) -> tuple[int, int, float]:
    emulator.reset_calls()
    started = time.perf_counter()
    done = action()
    return emulator.call_count(pattern), done, time.perf_counter() - started


def run(n: int) -> list[tuple[str, int, int, int, float]]:
    emulator = start_emulator()
    rows: list[tuple[str, int, int, int, float]] = []
    try:
        env = emulator.env()
        sf = SalesforceConnector.from_env(env)
        hs = HubSpotConnector.from_env(env, limiter=HubSpotLimiter(10**9, 10**9))

        leads = [
            {"LastName": f"L{i}", "Company": "Acme", "Email": f"l{i}@example.com"} for i in range(n)
        ]
        ids: list[str] = []

        def sf_create() -> int:
            results = sf.create("Lead", leads)
            ids.extend(r.id for r in results if r.id)
            return sum(r.ok for r in results)

        def sf_update() -> int:
            return sum(r.ok for r in sf.update("Lead", [{"Id": i, "Title": "CTO"} for i in ids]))

        def sf_read() -> int:
            return sum(
                len(p.records) for p in sf.read_changed("Lead", ["Email", "LastName", "Title"])
            )

        for label, action, minimum in (
            ("Salesforce write (create)", sf_create, math.ceil(n / 200)),
            ("Salesforce write (update)", sf_update, math.ceil(n / 200)),
            ("Salesforce read changed", sf_read, math.ceil(n / 2000)),
        ):
            calls, done, seconds = measure(emulator, SF, action)
            rows.append((label, done, calls, minimum, seconds))

        people = [{"email": f"c{i}@example.com", "firstname": f"C{i}"} for i in range(n)]
        hs_ids: list[str] = []

        def hs_create() -> int:
            results = hs.create("contacts", people)
            hs_ids.extend(r.id for r in results if r.id)
            return sum(r.ok for r in results)

        def hs_update() -> int:
            return sum(
                r.ok for r in hs.update("contacts", [{"id": i, "lastname": "X"} for i in hs_ids])
            )

        def hs_upsert() -> int:
            return sum(
                r.ok for r in hs.upsert("contacts", [{**p, "lastname": "Y"} for p in people])
            )

        def hs_read() -> int:
            return sum(len(p.records) for p in hs.read_changed("contacts", ["email", "lastname"]))

        for label, action, minimum in (
            ("HubSpot write (create)", hs_create, math.ceil(n / 100)),
            ("HubSpot write (update)", hs_update, math.ceil(n / 100)),
            ("HubSpot write (upsert)", hs_upsert, math.ceil(n / 100)),
            ("HubSpot read changed", hs_read, math.ceil(n / 200)),
        ):
            calls, done, seconds = measure(emulator, HS, action)
            rows.append((label, done, calls, minimum, seconds))
    finally:
        emulator.stop()
    return rows


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [1_000, 10_000]
    print(
        f"{'operation':<28}{'N':>8}{'records':>9}{'calls':>7}{'minimum':>9}{'ratio':>7}{'seconds':>9}"
    )
    worst = 0.0
    for n in sizes:
        for label, done, calls, minimum, seconds in run(n):
            ratio = calls / minimum
            worst = max(worst, ratio)
            print(f"{label:<28}{n:>8}{done:>9}{calls:>7}{minimum:>9}{ratio:>7.2f}{seconds:>9.2f}")
    print(f"worst ratio {worst:.2f} (target: within 10% of the minimum, <= 1.10)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
