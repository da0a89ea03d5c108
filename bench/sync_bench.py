"""Sync benchmark: N changed contacts each way against the emulator (run in a separate
process, so its memory is not counted), through the real connectors and the generated
adapter for the default mapping.

Prints API calls beside the minimum the page and batch limits allow, the second run's
calls (it reads back the first run's writes; target: reads only), a third run with
nothing changed since the second (target: 0 writes, reads within 10% of the first run's
fixed per-run reads; bench/read_trace.py says which reads are fixed), records per
second, the runner's CPU time (user + system of the runner process alone), its peak RSS
and what it wrote to disk. Each N runs in a fresh process, so peak RSS is that N's own;
several N in one run print CPU ratios between them (target: CPU at 100k <= 11x CPU at
10k; peak RSS at 100k < 300 MiB).

The emulator enforces HubSpot's Pro limits (190 calls per rolling 10 s, 5 searches per
rolling second; `--limits none` lifts them) and mapc's HubSpot limiter paces to the same.
Beside the first run's wall time the bench prints the rate-limit floor of the calls that
run made (target: wall <= 1.25x the floor at N = 100,000 with `--latency 0.1`):

    floor = max(search lane, window lane, Salesforce lane) + L
    search lane     = floor((S - 1) / 5) * 1 s      S: HubSpot search calls
    window lane     = floor((H - 1) / 190) * 10 s   H: every HubSpot call (a search counts
                                                       in the 10 s window too)
    Salesforce lane = ceil(F / c) * L - L           F: Salesforce calls, c: --concurrency
    L               = --latency, added once: the last call's own answer (a write also
                      waits at least one read's answer before it can be decided)

A rolling window lets its first `limit` calls go at once, so the k-th call (from 0) can
start no earlier than floor(k / limit) windows after the first. With `--limits none` the
HubSpot lanes are those of the calls in flight (ceil(H / c) * L - L), like Salesforce's.
Runner CPU and emulator CPU (user + system of each process) beside the wall time show
whether a run waits on calls (wall well above runner + emulator CPU) or on the CPU.

The second and third runs each start `--gap` seconds after the run before ended (default:
HubSpot's search look-back + 1 s), as scheduled runs would: a run that starts within the
look-back of the last change it reads must leave the next run that window to read again
(the search index may not have shown it all yet), so only then can a run with nothing
changed read nothing. `--gap 0` shows runs back to back.

    .venv/bin/python bench/sync_bench.py                     # N = 10,000 each way
    .venv/bin/python bench/sync_bench.py --n 10000 100000    # linear cost and memory
    .venv/bin/python bench/sync_bench.py --state postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python bench/sync_bench.py --latency 0.1 --concurrency 1 4   # wall vs floor
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
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from read_trace import ReadTrace, summary  # noqa: E402

from mapc.demo.sample import LIFECYCLE  # noqa: E402
from mapc.runtime.config import HubSpotSettings  # noqa: E402
from mapc.runtime.hubspot.client import HubSpotConnector  # noqa: E402
from mapc.runtime.hubspot.limits import HubSpotLimiter  # noqa: E402
from mapc.runtime.salesforce.client import SalesforceConnector  # noqa: E402
from mapc.runtime.sync.engine import SyncEngine  # noqa: E402
from mapc.runtime.sync.runner import load_adapter  # noqa: E402
from mapc.runtime.sync.state import StateStore  # noqa: E402

PRO = {"max_per_interval": 190, "interval_ms": 10_000, "search_per_second": 5}
"""HubSpot's Professional/Enterprise limits: 190 calls per rolling 10 s per account and
app, 5 CRM searches per second."""
UNLIMITED = {"max_per_interval": 10**9, "interval_ms": 10_000, "search_per_second": 10**9}
LIMITS: dict[str, dict[str, int] | None] = {"pro": PRO, "none": None}


def seed(n: int, limits: dict[str, int] | None = None) -> dict[str, Any]:
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
            # No limits: none enforced, and none reported in the headers either (mapc's
            # limiter follows them), so nothing but the CPU and the network paces the run.
            "rate_limit": {**(limits or UNLIMITED), "enforce": limits is not None},
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
            },
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


def is_search(endpoint: str) -> bool:
    return "search" in endpoint.lower()


def rate_limit_floor(
    detail: dict[str, int], latency: float, concurrency: int, limits: dict[str, int] | None
) -> dict[str, float]:
    """The least wall time the calls made allow (the module docstring's formula), by lane."""
    searches = sum(v for k, v in detail.items() if k.startswith("hubspot ") and is_search(k))
    hubspot = sum(v for k, v in detail.items() if k.startswith("hubspot "))
    salesforce = sum(v for k, v in detail.items() if k.startswith("salesforce "))

    def in_flight(calls: int) -> float:
        return max(math.ceil(calls / concurrency) - 1, 0) * latency

    def window(calls: int, limit: int, seconds: float) -> float:
        return max(calls - 1, 0) // limit * seconds

    if limits:
        search = window(searches, limits["search_per_second"], 1.0)
        general = window(hubspot, limits["max_per_interval"], limits["interval_ms"] / 1000)
    else:
        search, general = 0.0, in_flight(hubspot)
    lanes = {"search": search, "window": general, "salesforce": in_flight(salesforce)}
    return {**lanes, "floor": max(lanes.values()) + latency}


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process so far (Linux /proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def disk_written() -> int:
    """Bytes this process caused to be written to storage (Linux /proc/self/io)."""
    try:
        text = Path("/proc/self/io").read_text()
    except OSError:
        return -1
    fields = dict(line.split(": ") for line in text.splitlines())
    return int(fields["write_bytes"])


def run_once(
    adapter: Any,
    sf: Any,
    hs: Any,
    state: StateStore,
    concurrency: int = 1,
    emulator: int = 0,
    trace: ReadTrace | None = None,
) -> dict[str, Any]:
    traced = len(trace.reads) if trace else 0
    sf_before, hs_before = Counter(sf.calls), Counter(hs.calls)
    cpu, disk, emulator_cpu = cpu_seconds(), disk_written(), process_cpu(emulator)
    started = time.perf_counter()
    report = SyncEngine(adapter, sf, hs, state, concurrency=concurrency).run()
    elapsed = time.perf_counter() - started
    cpu, disk = cpu_seconds() - cpu, disk_written() - disk
    emulator_cpu = process_cpu(emulator) - emulator_cpu
    sf_calls = Counter(sf.calls)
    sf_calls.subtract(sf_before)
    hs_calls = Counter(hs.calls)
    hs_calls.subtract(hs_before)
    sf_r, sf_w = classify(+sf_calls, "salesforce")
    hs_r, hs_w = classify(+hs_calls, "hubspot")
    detail = {f"salesforce {k}": v for k, v in (+sf_calls).items()}
    detail.update({f"hubspot {k}": v for k, v in (+hs_calls).items()})
    reads = summary(trace.reads[traced:] if trace else [], sf_r + hs_r)
    return {
        "writes": report.writes,
        "failed": report.failed,
        "reads": reads,
        "seconds": elapsed,
        "cpu": cpu,
        "emulator_cpu": emulator_cpu,
        "disk": disk,
        "calls": {
            "salesforce reads": sf_r,
            "salesforce writes": sf_w,
            "hubspot reads": hs_r,
            "hubspot writes": hs_w,
            "detail": detail,
        },
    }


def add_latency(info: dict[str, Any], seconds: float) -> None:
    """Every emulated API call takes `seconds` longer, as a real API's would."""
    import requests

    answer = requests.post(
        f"{info['control_url']}/faults", json={"pattern": "*", "latency": seconds}, timeout=10
    )
    answer.raise_for_status()


def bench(
    n: int,
    adapter_path: str,
    state_url: str | None,
    latency: float = 0.0,
    concurrency: int = 1,
    limits: str = "pro",
    gap: float | None = None,
) -> dict[str, Any]:
    tier = LIMITS[limits]
    with tempfile.TemporaryDirectory(prefix="mapc-bench-") as tmp:
        seed_path = Path(tmp) / "seed.json"
        seed_path.write_text(json.dumps(seed(n, tier)))
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
            sf = SalesforceConnector.from_env(env)
            # mapc's limiter set as an operator would for the tier (HUBSPOT_REQUESTS_PER_10S).
            limiter = (
                HubSpotLimiter(tier["max_per_interval"], tier["search_per_second"])
                if tier
                else HubSpotLimiter(10**6, 10**6)
            )
            hs = HubSpotConnector.from_env(env, limiter=limiter)
            trace = ReadTrace()
            trace.attach(hs, sf)
            lookback = HubSpotSettings.from_env(env).search_lookback_seconds
            if gap is None:
                gap = lookback + 1.0
            state = StateStore(state_url or str(Path(tmp) / "state.db"))
            if latency:
                add_latency(info, latency)
            first = run_once(adapter, sf, hs, state, concurrency, proc.pid, trace)
            first["floor"] = rate_limit_floor(first["calls"]["detail"], latency, concurrency, tier)
            first["limiter_wait"] = limiter.waited
            time.sleep(gap)
            second = run_once(adapter, sf, hs, state, concurrency, proc.pid, trace)
            time.sleep(gap)
            third = run_once(adapter, sf, hs, state, concurrency, proc.pid, trace)
            state.close()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return {
        "n": n,
        "latency": latency,
        "concurrency": concurrency,
        "limits": limits,
        "seed_s": load_s,
        "gap": gap,
        "lookback": lookback,
        "first": first,
        "second": second,
        "third": third,
        "rss": rss,
        "minimum": minimum_calls(n),
    }


def show(result: dict[str, Any]) -> None:
    n = result["n"]
    print(
        f"\n== {n:,} changed contacts each way (HubSpot contacts -> Salesforce leads, "
        f"Salesforce leads -> HubSpot contacts) =="
    )
    first, second = result["first"], result["second"]
    print(f"{'calls, first run':<24}{'made':>8}{'minimum':>10}{'ratio':>8}")
    total = minimum = 0
    for key in ("hubspot reads", "salesforce reads", "salesforce writes", "hubspot writes"):
        made, least = first["calls"][key], result["minimum"][key]
        total += made
        minimum += least
        print(f"{key:<24}{made:>8}{least:>10}{made / least:>8.2f}")
    print(f"{'total':<24}{total:>8}{minimum:>10}{total / minimum:>8.2f}")
    fc = first["calls"]
    print(
        f"first run: {fc['hubspot reads'] + fc['salesforce reads']} read calls "
        f"({reads_line(first['reads'])})"
    )
    sc = second["calls"]
    print(
        f"second run (reads back the first run's writes): "
        f"{sc['hubspot reads'] + sc['salesforce reads']} read calls "
        f"({reads_line(second['reads'])}), {sc['hubspot writes'] + sc['salesforce writes']} "
        f"write calls; {second['writes']} records written"
    )
    print(no_change_lines(result))
    if os.environ.get("BENCH_DETAIL"):
        for run in ("first", "second", "third"):
            print(f"{run} run calls:", json.dumps(result[run]["calls"]["detail"], indent=1))
            rows = result[run]["reads"]["by_read"]
            print(f"{run} run per-run reads (fixed calls, record pages, records):")
            for key, (fixed, pages, records) in sorted(rows.items()):
                print(f"  {key:<44}{fixed:>4}{pages:>6}{records:>8}")
    records = 2 * n
    print(
        f"first run: {first['seconds']:.1f}s, {records / first['seconds']:,.0f} records/s "
        f"({first['writes']:,} writes, {first['failed']} errors); "
        f"second run: {second['seconds']:.1f}s"
    )
    print(
        f"runner CPU: first run {first['cpu']:.1f}s, second run {second['cpu']:.1f}s; "
        f"disk written by the runner: first run {first['disk'] / 2**20:,.1f} MiB, "
        f"second run {second['disk'] / 2**20:,.1f} MiB"
    )
    print(
        f"peak RSS of the runner process (Python, SQLite, TLS; the emulator runs apart): "
        f"{result['rss'] / 2**20:.1f} MiB"
    )
    print(floor_line(result))


def reads_line(reads: dict[str, Any]) -> str:
    return (
        f"{reads['fixed']} fixed, {reads['record_pages']} record pages of per-run reads, "
        f"{reads['for_records']} for particular records; {reads['records']:,} records read"
    )


def no_change_lines(result: dict[str, Any]) -> str:
    """The third run against the first run's fixed reads (target: within 10%)."""
    first, third = result["first"], result["third"]
    tc = third["calls"]
    made = tc["hubspot reads"] + tc["salesforce reads"]
    fixed = first["reads"]["fixed"]
    gap, lookback = result["gap"], result["lookback"]
    spacing = (
        f"past HubSpot's {lookback}s search look-back, as scheduled runs would"
        if gap > lookback
        else f"within HubSpot's {lookback}s search look-back, so each reads it again"
    )
    return (
        f"third run (nothing changed since the second; each later run started "
        f"{gap:.0f}s after the one before ended, {spacing}): "
        f"{made} read calls ({reads_line(third['reads'])}), "
        f"{tc['hubspot writes'] + tc['salesforce writes']} write calls; "
        f"{third['writes']} records written\n"
        f"no-change run reads vs the first run's fixed per-run reads: {made} / {fixed} = "
        f"{made / fixed:.2f}x (target <= 1.10x)"
    )


def ratio(wall: float, floor: float) -> str:
    """Wall time over the floor; none without limits or latency (nothing to wait for)."""
    return f"{wall / floor:.2f}x" if floor > 0 else "-"


def floor_line(result: dict[str, Any]) -> str:
    """The first run's wall time beside the floor of its calls, and where its time went."""
    first, floor = result["first"], result["first"]["floor"]
    lanes = ", ".join(f"{k} {floor[k]:.1f}s" for k in ("search", "window", "salesforce"))
    return (
        f"first run vs rate-limit floor ({result['limits']} limits, "
        f"{result['latency'] * 1000:.0f} ms a call, concurrency {result['concurrency']}): "
        f"wall {first['seconds']:.1f}s, floor {floor['floor']:.1f}s ({lanes}), "
        f"{ratio(first['seconds'], floor['floor'])}; runner CPU {first['cpu']:.1f}s "
        f"({first['cpu'] / first['seconds']:.0%} of wall), emulator CPU "
        f"{first['emulator_cpu']:.1f}s, mapc's HubSpot limiter waited "
        f"{first['limiter_wait']:.1f}s (summed over the threads that waited)"
    )


def child(
    n: int,
    adapter: str,
    state: str | None,
    latency: float = 0.0,
    concurrency: int = 1,
    limits: str = "pro",
    gap: float | None = None,
) -> dict[str, Any]:
    """One N in a fresh interpreter: its peak RSS is its own, not an earlier N's."""
    command = [sys.executable, __file__, "--one", str(n), "--adapter", adapter]
    command += ["--latency", str(latency), "--concurrency", str(concurrency)]
    command += ["--limits", limits]
    if gap is not None:
        command += ["--gap", str(gap)]
    if state:
        command += ["--state", state]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def by_concurrency(args: argparse.Namespace) -> int:
    """The first run's wall time at each concurrency beside the floor of its calls, same N
    and latency, one bench run."""
    n = args.n[0]
    rows = [
        child(n, args.adapter, args.state, args.latency, concurrency, args.limits, args.gap)
        for concurrency in args.concurrency
    ]
    print(
        f"\n== {n:,} changed contacts each way, {args.latency * 1000:.0f} ms added per call, "
        f"{args.limits} limits =="
    )
    print(
        f"{'concurrency':>11}{'wall':>9}{'floor':>9}{'ratio':>7}{'search':>8}{'window':>8}"
        f"{'sf lane':>9}{'runner CPU':>12}{'emulator CPU':>14}{'calls':>7}{'errors':>7}"
        f"{'2nd run writes':>16}"
    )
    for result in rows:
        first, floor = result["first"], result["first"]["floor"]
        calls = sum(v for k, v in first["calls"].items() if k != "detail")
        print(
            f"{result['concurrency']:>11}{first['seconds']:>8.1f}s{floor['floor']:>8.1f}s"
            f"{ratio(first['seconds'], floor['floor']):>7}{floor['search']:>7.1f}s"
            f"{floor['window']:>7.1f}s{floor['salesforce']:>8.1f}s{first['cpu']:>11.1f}s"
            f"{first['emulator_cpu']:>13.1f}s{calls:>7}{first['failed']:>7}"
            f"{result['second']['writes']:>16}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n",
        type=int,
        nargs="+",
        default=[10_000],
        help="changed contacts each way (several values: CPU and memory against N)",
    )
    parser.add_argument("--adapter", default=str(ROOT / "generated" / "hubspot_salesforce.py"))
    parser.add_argument("--state", help="a database URL for the state (default: a new SQLite file)")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every API call"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[1],
        help="write batches in flight at once (several values: wall time against each)",
    )
    parser.add_argument(
        "--limits",
        choices=sorted(LIMITS),
        default="pro",
        help="HubSpot limits the emulator enforces and mapc paces to (default: pro)",
    )
    parser.add_argument(
        "--gap",
        type=float,
        help="seconds between runs (default: HubSpot's search look-back + 1, as a schedule)",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        result = bench(
            args.one,
            args.adapter,
            args.state,
            args.latency,
            args.concurrency[0],
            args.limits,
            args.gap,
        )
        print(json.dumps(result))
        return 0
    if len(args.concurrency) > 1:
        return by_concurrency(args)
    results = []
    for n in args.n:
        result = child(
            n, args.adapter, args.state, args.latency, args.concurrency[0], args.limits, args.gap
        )
        show(result)
        results.append(result)
    if len(results) > 1:
        base = results[0]
        print(f"\nrunner CPU and peak RSS against N (first run; ratios to N = {base['n']:,}):")
        for r in results:
            print(
                f"  N = {r['n']:>7,}: CPU {r['first']['cpu']:6.1f}s "
                f"({r['first']['cpu'] / base['first']['cpu']:5.2f}x for "
                f"{r['n'] / base['n']:.0f}x the records), peak RSS {r['rss'] / 2**20:6.1f} MiB, "
                f"disk written {r['first']['disk'] / 2**20:8,.1f} MiB"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
