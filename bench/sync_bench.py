"""Sync benchmark: N changed contacts each way against the emulator (run in a separate
process, so its memory is not counted), through the real connectors and the generated
adapter for the default mapping.

Prints API calls beside the minimum the page and batch limits allow, the second run's
calls (target: reads only), records per second and the engine's peak memory (tracemalloc).

    .venv/bin/python bench/sync_bench.py                 # N = 10,000 each way
    .venv/bin/python bench/sync_bench.py --n 100000      # the memory figure
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mapc.demo.sample import LIFECYCLE  # noqa: E402
from mapc.runtime.hubspot.client import HubSpotConnector  # noqa: E402
from mapc.runtime.ratelimit import HubSpotLimiter  # noqa: E402
from mapc.runtime.salesforce.client import SalesforceConnector  # noqa: E402
from mapc.runtime.sync.engine import SyncEngine  # noqa: E402
from mapc.runtime.sync.runner import load_adapter  # noqa: E402
from mapc.runtime.sync.state import StateStore  # noqa: E402


def seed(n: int) -> dict[str, Any]:
    field = {"name": "Lifecycle_Stage__c", "type": "picklist", "picklistValues": list(LIFECYCLE)}
    return {
        "salesforce": {
            "person_accounts": True,
            "custom_fields": {"Lead": [field], "Contact": [field]},
            "records": {
                "Lead": [
                    {
                        "FirstName": "Sf",
                        "LastName": f"Lead {i}",
                        "Company": f"Co {i % 500}",
                        "Email": f"sf{i}@bench.example",
                        "Title": "Buyer",
                    }
                    for i in range(n)
                ]
            },
        },
        "hubspot": {
            "records": {
                "contacts": [
                    {
                        "email": f"hs{i}@bench.example",
                        "firstname": "Hs",
                        "lastname": f"Contact {i}",
                        "jobtitle": "Engineer",
                        "lifecyclestage": "lead",
                    }
                    for i in range(n)
                ]
            }
        },
    }


def start_emulator(seed_path: Path) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mapc", "emulate", "--seed", str(seed_path), "--person-accounts"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("the emulator did not start")
    return proc, json.loads(line)


def minimum_calls(n: int) -> dict[str, int]:
    """What the limits allow: HubSpot search pages of 200 and batch writes of 100;
    SOQL pages of 2,000 and sObject Collections of 200."""
    return {
        "hubspot reads": math.ceil(n / 200),
        "salesforce reads": math.ceil(n / 2000),
        "salesforce writes": math.ceil(n / 200),
        "hubspot writes": math.ceil(n / 100),
    }


def classify(calls: Counter[str], system: str) -> tuple[int, int]:
    reads = writes = 0
    for key, count in calls.items():
        text = key.lower()
        write = not (
            text.startswith("get")
            or "search" in text
            or "query" in text
            or "batch/read" in text
            or ("associations" in text and "read" in text)
        )
        if write:
            writes += count
        else:
            reads += count
    return reads, writes


def run_once(
    adapter: Any, sf: Any, hs: Any, state: StateStore
) -> tuple[Any, float, dict[str, int]]:
    sf_before, hs_before = Counter(sf.calls), Counter(hs.calls)
    started = time.perf_counter()
    report = SyncEngine(adapter, sf, hs, state).run()
    elapsed = time.perf_counter() - started
    sf_calls = Counter(sf.calls)
    sf_calls.subtract(sf_before)
    hs_calls = Counter(hs.calls)
    hs_calls.subtract(hs_before)
    sf_r, sf_w = classify(+sf_calls, "salesforce")
    hs_r, hs_w = classify(+hs_calls, "hubspot")
    detail = {f"salesforce {k}": v for k, v in (+sf_calls).items()}
    detail.update({f"hubspot {k}": v for k, v in (+hs_calls).items()})
    return (
        report,
        elapsed,
        {
            "salesforce reads": sf_r,
            "salesforce writes": sf_w,
            "hubspot reads": hs_r,
            "hubspot writes": hs_w,
            "detail": detail,
        },
    )


def bench(n: int, adapter_path: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mapc-bench-") as tmp:
        seed_path = Path(tmp) / "seed.json"
        seed_path.write_text(json.dumps(seed(n)))
        t0 = time.perf_counter()
        proc, info = start_emulator(seed_path)
        load_s = time.perf_counter() - t0
        try:
            env = {
                "SALESFORCE_INSTANCE_URL": info["salesforce_instance_url"],
                "SALESFORCE_ACCESS_TOKEN": info["salesforce_access_token"],
                "HUBSPOT_ACCESS_TOKEN": info["hubspot_access_token"],
                "HUBSPOT_BASE_URL": info["hubspot_base_url"],
            }
            os.environ["REQUESTS_CA_BUNDLE"] = info["ca_bundle_path"]
            adapter = load_adapter(adapter_path)
            tracemalloc.start()
            sf = SalesforceConnector.from_env(env)
            hs = HubSpotConnector.from_env(env, limiter=HubSpotLimiter(10**6, 10**6))
            state = StateStore(str(Path(tmp) / "state.db"))
            first, first_s, first_calls = run_once(adapter, sf, hs, state)
            second, second_s, second_calls = run_once(adapter, sf, hs, state)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return {
        "n": n,
        "seed_s": load_s,
        "first": first,
        "first_s": first_s,
        "first_calls": first_calls,
        "second": second,
        "second_s": second_s,
        "second_calls": second_calls,
        "peak": peak,
        "rss": rss,
        "minimum": minimum_calls(n),
    }


def show(result: dict[str, Any]) -> None:
    n = result["n"]
    print(
        f"\n== {n:,} changed contacts each way (HubSpot contacts -> Salesforce leads, "
        f"Salesforce leads -> HubSpot contacts) =="
    )
    print(f"{'calls, first run':<24}{'made':>8}{'minimum':>10}{'ratio':>8}")
    total = minimum = 0
    for key in ("hubspot reads", "salesforce reads", "salesforce writes", "hubspot writes"):
        made, least = result["first_calls"][key], result["minimum"][key]
        total += made
        minimum += least
        print(f"{key:<24}{made:>8}{least:>10}{made / least:>8.2f}")
    print(f"{'total':<24}{total:>8}{minimum:>10}{total / minimum:>8.2f}")
    sc = result["second_calls"]
    print(
        f"second run (nothing changed): {sc['hubspot reads'] + sc['salesforce reads']} read "
        f"calls, {sc['hubspot writes'] + sc['salesforce writes']} write calls; "
        f"{result['second'].writes} records written"
    )
    if os.environ.get("BENCH_DETAIL"):
        print("first run calls:", json.dumps(result["first_calls"]["detail"], indent=1))
        print("second run calls:", json.dumps(sc["detail"], indent=1))
    records = 2 * n
    print(
        f"first run: {result['first_s']:.1f}s, {records / result['first_s']:,.0f} records/s "
        f"({result['first'].writes:,} writes, {result['first'].failed} errors); "
        f"second run: {result['second_s']:.1f}s"
    )
    print(
        f"peak memory (tracemalloc, engine and connectors): {result['peak'] / 2**20:.1f} MiB; "
        f"peak RSS of the process (Python, SQLite, TLS; the emulator runs apart): "
        f"{result['rss'] / 2**20:.1f} MiB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n",
        type=int,
        nargs="+",
        default=[10_000],
        help="changed contacts each way (several values: memory vs N)",
    )
    parser.add_argument("--adapter", default=str(ROOT / "generated" / "hubspot_salesforce.py"))
    args = parser.parse_args()
    results = [bench(n, args.adapter) for n in args.n]
    for result in results:
        show(result)
    if len(results) > 1:
        print(
            "\npeak memory by N: "
            + ", ".join(f"{r['n']:,}: {r['peak'] / 2**20:.1f} MiB" for r in results)
            + " (tracemalloc; peak RSS is the whole process's high-water mark so far)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
