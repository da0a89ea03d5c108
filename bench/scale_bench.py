"""Scale benchmark: many (portal, org) pairs synced by 1, 2 and 4 workers from a RabbitMQ
queue, sharing one PostgreSQL state and Redis rate limits; then a worker killed mid-pair.

Each pair is an emulated HubSpot portal (its own emulator) and an emulated Salesforce org
that several portals share (R11: the org's API allocation is shared by every portal synced
with it). Every API call is slowed by --latency seconds, as a real API's would be. For each
worker count: pairs per minute, the limiter's shared waits, and, asserted from the state,
that no pair was ever leased to two workers at once (mapc_lease_log) nor ran twice at once
(mapc_runs). The kill round SIGKILLs a worker holding a lease and checks that another
worker finishes that pair once the lease expires, and that every pair ends fully synced.

    .venv/bin/python bench/scale_bench.py                      # 40 pairs, 1/2/4 workers, kill
    .venv/bin/python bench/scale_bench.py --pairs 8 --workers 1 2

Needs PostgreSQL (127.0.0.1:5432, or --pg), Redis (127.0.0.1:6379) and RabbitMQ
(127.0.0.1:5672, guest/guest), as docs/scale.md describes.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from mapc.demo.sample import LIFECYCLE  # noqa: E402
from mapc.runtime.fleet.lease import Leases, overlaps  # noqa: E402
from mapc.runtime.sync.state import StateStore  # noqa: E402

GENERATED = ROOT / "generated" / "hubspot_salesforce.py"


# -- emulator hosts: several emulators in one process each --------------------------------


def host(count: int, first: int, records: int, latency: float) -> None:
    """Start `count` emulators, print their connection variables, serve until stdin ends."""
    from mapc.emulator import start_emulator

    field = {"name": "Lifecycle_Stage__c", "type": "picklist", "picklistValues": list(LIFECYCLE)}
    started = []
    for n in range(first, first + count):
        emu = start_emulator(person_accounts=True)
        emu.seed(
            {
                "salesforce": {
                    "custom_fields": {"Lead": [field], "Contact": [field]},
                    "records": {
                        "Lead": [
                            {
                                "LastName": f"Lead {i}",
                                "Company": f"Co {n}",
                                "Email": f"sf{i}@org{n}.example",
                            }
                            for i in range(records)
                        ]
                    },
                },
                "hubspot": {
                    "records": {
                        "contacts": [
                            {
                                "email": f"hs{i}@portal{n}.example",
                                "lastname": f"Contact {i}",
                                "lifecyclestage": "lead",
                            }
                            for i in range(records)
                        ]
                    }
                },
            }
        )
        if latency:
            emu.add_fault("*", latency=latency)
        started.append(emu)
    print(json.dumps([e.runner_env() for e in started]), flush=True)
    sys.stdin.read()
    for emu in started:
        emu.stop()


def start_hosts(pairs: int, records: int, latency: float) -> tuple[list[Any], list[dict[str, str]]]:
    per_host = 10
    procs, envs = [], []
    for first in range(0, pairs, per_host):
        count = min(per_host, pairs - first)
        command = [sys.executable, __file__, "--host", str(count), str(first), str(records)]
        command.append(str(latency))
        proc = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        procs.append(proc)
    for proc in procs:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("an emulator host did not start")
        envs.extend(json.loads(line))
    return procs, envs


def stop(procs: list[Any]) -> None:
    for proc in procs:
        if proc.stdin:
            proc.stdin.close()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


# -- one round -------------------------------------------------------------------------


def fresh_schema(pg: str) -> tuple[str, str]:
    schema = f"mapc_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(pg, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return schema, f"{pg}?options={quote(f'-csearch_path={schema}')}"


def drop_schema(pg: str, schema: str) -> None:
    engine = create_engine(pg, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def write_fleet(
    tmp: Path,
    state: str,
    envs: list[dict[str, str]],
    orgs: int,
    tag: str,
    lease: float,
    org_limit: tuple[int, float],
) -> Path:
    pairs = []
    for n, env in enumerate(envs):
        org = n % orgs  # portal n syncs with org `org` (that emulator's Salesforce side)
        org_env = envs[org]
        pairs.append(
            {
                "account": f"portal-{tag}-{n}",
                "org": f"org-{tag}-{org}",
                "env": {
                    "HUBSPOT_ACCESS_TOKEN": env["HUBSPOT_ACCESS_TOKEN"],
                    "HUBSPOT_BASE_URL": env["HUBSPOT_BASE_URL"],
                    "SALESFORCE_INSTANCE_URL": org_env["SALESFORCE_INSTANCE_URL"],
                    "SALESFORCE_ACCESS_TOKEN": org_env["SALESFORCE_ACCESS_TOKEN"],
                    "SALESFORCE_CA_BUNDLE": org_env["SALESFORCE_CA_BUNDLE"],
                },
            }
        )
    path = tmp / "fleet.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "state": state,
                "adapter": str(GENERATED),
                "lease_seconds": lease,
                "salesforce_limit": {"calls": org_limit[0], "seconds": org_limit[1]},
                "pairs": pairs,
            }
        )
    )
    return path


def start_workers(count: int, queue: str, logs: Path) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "MAPC_QUEUE": queue, "PYTHONPATH": str(ROOT)}
    env.pop("REQUESTS_CA_BUNDLE", None)
    crew = []
    for n in range(count):
        with (logs / f"worker-{n}.log").open("wb") as log:
            crew.append(
                subprocess.Popen(
                    [sys.executable, "-m", "mapc", "fleet", "work"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    return crew


def worker_errors(logs: Path) -> list[str]:
    """The lines of the workers' logs that say something went wrong."""
    found = []
    for path in sorted(logs.glob("worker-*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if "ERROR" in line or "Traceback" in line or "Error:" in line:
                found.append(f"{path.name}: {line.strip()[:300]}")
    return found


def finished(state: str) -> dict[str, list[dict[str, Any]]]:
    """Account -> its runs (all of them), from mapc_runs."""
    engine = create_engine(state)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT account, status, started_at, ended_at FROM mapc_runs ORDER BY id")
        ).all()
    engine.dispose()
    runs: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        runs.setdefault(row.account, []).append(dict(row._mapping))
    return runs


def concurrent_runs(runs: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Runs of one pair whose times overlap. A killed run never ended: it counts until the
    next run of its pair began, which is what the lease log bounds."""
    found = []
    for account, rows in runs.items():
        ended = [r for r in rows if r["ended_at"]]
        for a, b in itertools.pairwise(ended):
            if b["started_at"] < a["ended_at"]:
                found.append(f"{account}: a run began at {b['started_at']} before {a['ended_at']}")
    return found


def wait_all(state: str, accounts: list[str], timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        runs = finished(state)
        done = [a for a in accounts if any(r["ended_at"] for r in runs.get(a, []))]
        if len(done) == len(accounts):
            return time.monotonic() - started
        time.sleep(0.25)
    raise SystemExit(f"not every pair finished within {timeout:.0f}s")


def synced(env_of: dict[str, str], portal_n: int, org_n: int, records: int) -> list[str]:
    """What is missing from the pair: each side's seeded people on the other side."""
    from mapc.runtime.hubspot.client import HubSpotConnector
    from mapc.runtime.salesforce.client import SalesforceConnector

    sf = SalesforceConnector.from_env(env_of)
    hs = HubSpotConnector.from_env(env_of)
    leads = {str(r["Email"]).lower() for r in sf.query("SELECT Email FROM Lead")}
    contacts: set[str] = set()
    for page in hs.read_changed("contacts", ["email"], None):
        contacts.update(str(r.get("email", "")).lower() for r in page.records)
    missing = [
        f"lead hs{i}@portal{portal_n}"
        for i in range(records)
        if f"hs{i}@portal{portal_n}.example" not in leads
    ]
    missing += [
        f"contact sf{i}@org{org_n}"
        for i in range(records)
        if f"sf{i}@org{org_n}.example" not in contacts
    ]
    return missing


def org_limit(text: str) -> tuple[int, float]:
    calls, _, seconds = text.partition("/")
    return int(calls), float(seconds)


def round_(args: argparse.Namespace, workers: int, *, kill: bool = False) -> dict[str, Any]:
    from mapc.runtime.fleet import queue
    from mapc.runtime.fleet.config import load_fleet

    tag = uuid.uuid4().hex[:6]
    procs, envs = start_hosts(args.pairs, args.records, args.latency)
    schema, state = fresh_schema(args.pg)
    queue_name = f"mapc-bench-{tag}"
    crew: list[subprocess.Popen[bytes]] = []
    try:
        StateStore(state, create=True).close()
        with tempfile.TemporaryDirectory(prefix="mapc-scale-") as tmp:
            lease = args.lease if kill else 60.0
            fleet = load_fleet(
                write_fleet(
                    Path(tmp), state, envs, args.orgs, tag, lease, org_limit(args.org_limit)
                )
            )
            leases = Leases(state, ttl=lease)
            crew = start_workers(workers, queue_name, Path(tmp))
            broker = queue.setup(queue=queue_name)
            time.sleep(2.0)  # the workers connect and declare their queues
            started = time.monotonic()
            queue.enqueue(fleet)
            killed: dict[str, Any] = {}
            if kill:
                killed = kill_one(leases, crew)
            accounts = [p.account for p in fleet.pairs]
            try:
                wait_all(state, accounts, args.timeout)
            except SystemExit:
                print("\n".join(worker_errors(Path(tmp))[:20]), file=sys.stderr)
                raise
            elapsed = time.monotonic() - started
            runs = finished(state)
            errors = worker_errors(Path(tmp))
            history = leases.history()
            problems = overlaps(history) + concurrent_runs(runs)
            failed = [
                a for a, rs in runs.items() if not any(r["status"] == "completed" for r in rs)
            ]
            missing: list[str] = []
            for n, spec in enumerate(fleet.pairs):
                missing += [
                    f"{spec.key}: {m}"
                    for m in synced(dict(spec.env), n, n % args.orgs, args.records)
                ]
            result = {
                "workers": workers,
                "pairs": len(accounts),
                "seconds": elapsed,
                "per_minute": len(accounts) / elapsed * 60,
                "runs": sum(len(r) for r in runs.values()),
                "leases": len(history),
                "problems": problems,
                "failed": failed,
                "missing": missing,
                "killed": killed,
                "errors": errors,
            }
            if kill and killed:
                pair = killed["pair"]
                mine = [h for h in history if h["pair"] == pair]
                result["kill"] = {
                    "pair": pair,
                    "leases": [
                        (
                            h["holder"].split(":")[1],
                            str(h["acquired_at"]),
                            str(h["released_at"] or h["expires_at"]),
                        )
                        for h in mine
                    ],
                    "finished_by_another": any(
                        h["holder"].split(":")[1] != str(killed["pid"]) and h["released_at"]
                        for h in mine
                    ),
                }
            broker.channel.queue_delete(queue_name)
            broker.channel.queue_delete(f"{queue_name}.DQ")
            broker.channel.queue_delete(f"{queue_name}.XQ")
            broker.close()
            leases.close()
    finally:
        for worker in crew:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in crew:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        stop(procs)
        drop_schema(args.pg, schema)
    return result


def kill_one(leases: Leases, crew: list[subprocess.Popen[bytes]]) -> dict[str, Any]:
    """SIGKILL the first worker seen holding a lease, mid-pair."""
    pids = {w.pid: w for w in crew}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with leases.engine.connect() as conn:
            rows = conn.execute(text("SELECT pair, holder FROM mapc_leases")).all()
        for pair, holder in rows:
            pid = int(holder.split(":")[1])
            if pid in pids:
                time.sleep(0.3)  # well inside its run
                os.kill(pid, signal.SIGKILL)
                pids[pid].wait()
                return {"pair": pair, "pid": pid}
        time.sleep(0.05)
    return {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--orgs", type=int, default=10, help="Salesforce orgs the portals share")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--records", type=int, default=20, help="new contacts each way a pair")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to each call")
    parser.add_argument("--lease", type=float, default=10.0, help="lease seconds, kill round")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument(
        "--org-limit",
        default="15000/86400",
        help="each org's API allocation shared by its portals, CALLS/SECONDS",
    )
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--host", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.host:
        count, first, records, latency = args.host
        host(int(count), int(first), int(records), float(latency))
        return 0
    results = []
    for workers in args.workers:
        result = round_(args, workers)
        results.append(result)
        print(
            f"{workers} worker(s): {result['pairs']} pairs in {result['seconds']:.1f}s = "
            f"{result['per_minute']:.1f} pairs/min; {result['runs']} runs, "
            f"{result['leases']} leases; overlaps: {len(result['problems'])}; pairs not "
            f"completed: {len(result['failed'])}; records missing: {len(result['missing'])}",
            flush=True,
        )
        for line in result["errors"][:5]:
            print(f"  worker log: {line}")
    base = results[0]["per_minute"]
    print(
        "pairs/min by workers: "
        + ", ".join(
            f"{r['workers']}: {r['per_minute']:.1f} ({r['per_minute'] / base:.2f}x)"
            for r in results
        )
    )
    ok = all(not r["problems"] and not r["failed"] and not r["missing"] for r in results)
    if not args.no_kill:
        result = round_(args, 2, kill=True)
        kill = result.get("kill", {})
        print(
            f"kill round (2 workers, lease {args.lease:.0f}s): killed worker pid "
            f"{result['killed'].get('pid')} holding {kill.get('pair')}; that pair's leases "
            f"(pid, from, until): {kill.get('leases')}; finished by another worker: "
            f"{kill.get('finished_by_another')}; all {result['pairs']} pairs done in "
            f"{result['seconds']:.1f}s; overlaps: {result['problems'] or 'none'}; pairs not "
            f"completed: {result['failed'] or 'none'}; records missing: "
            f"{result['missing'][:5] or 'none'}",
            flush=True,
        )
        ok = ok and bool(kill.get("finished_by_another")) and not result["problems"]
        ok = ok and not result["failed"] and not result["missing"]
    print("all checks passed" if ok else "CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
