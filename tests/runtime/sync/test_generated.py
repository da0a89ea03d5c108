"""The generated adapter for mappings/hubspot_salesforce.mapc, end to end: every rule of
the default mapping in one sample, a second run that writes nothing, and kills."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest

from mapc.runtime.sync.engine import SyncEngine
from mapc.runtime.sync.runner import load_adapter
from mapc.runtime.sync.state import StateStore
from tests.runtime.sync.conftest import SyncEnv, base_seed
from tests.runtime.sync.test_crash import Killed, Killer
from tests.runtime.sync.worlds import mixed_seed, world

GENERATED = Path(__file__).resolve().parents[3] / "generated" / "hubspot_salesforce.py"


@pytest.fixture
def gen(sync: SyncEnv) -> SyncEnv:
    sync.adapter = load_adapter(str(GENERATED))
    return sync


def fresh(sync: SyncEnv) -> None:
    sync.emulator.reset(person_accounts=True)
    sync.seed(base_seed())
    sync.seed(mixed_seed())


def test_default_mapping_end_to_end(gen: SyncEnv) -> None:
    gen.seed(mixed_seed())
    report = gen.run()
    assert report.failed == 0, [a for a in report.actions if a.op == "error"]
    w = world(gen)
    people = {p[0]: p for p in w["sf_people"] if p[1] != "Dup"}
    # R6: Ann's HubSpot contact matched one of her leads by email, whatever the case (her
    # title reached it), and no third lead was made; R4: no subscriber.
    anns = sorted(p for p in w["sf_people"] if p[0] == "ann@acme.example")
    assert [p[1] for p in anns] == ["Dup", "Lee"]
    assert [p[3] for p in anns].count("CEO") == 1
    assert [p[0] for p in w["hs_people"]].count("ann@acme.example") == 1
    assert "sub@only.example" not in people
    # R1 both ways: HubSpot's unsubscribe reached Salesforce, Salesforce's reached HubSpot.
    assert people["hs@only.example"][4] is True
    hs = {p[0]: p for p in w["hs_people"]}
    assert hs["opt@buyer.example"][4] == "true"
    # R9: the contact-role contact is a customer on both sides.
    assert hs["roy@buyer.example"][5] == "customer"
    assert people["roy@buyer.example"][5] == "Customer"
    # R8: one task per open/click of a synced contact.
    assert len(w["tasks"]) == 3
    # Companies <-> accounts and deals <-> opportunities, both ways.
    assert "Hs Co" in w["accounts"] and "Buyer Ltd" in w["companies"]
    assert "Hs deal" in w["opportunities"] and "Won deal" in w["deals"]
    gen.emulator.reset_calls()
    assert gen.run().writes == 0
    assert gen.write_count() == 0, gen.writes()
    assert world(gen) == w


def test_default_mapping_survives_kills(gen: SyncEnv, tmp_path: Any) -> None:
    fresh(gen)
    gen.emulator.reset_calls()
    gen.run(state=StateStore(gen.new_state("ref")))
    expected, total = world(gen), gen.write_count()
    for at in sorted(
        random.Random(11).sample(
            range(1, total + 1), k=min(int(os.environ.get("MAPC_KILL_POINTS", "5")), total)
        )
    ):
        fresh(gen)
        state = StateStore(gen.new_state(f"kill-{at}"))
        killer = Killer(at)
        with pytest.raises(Killed):
            SyncEngine(
                gen.adapter, killer.wrap(gen.salesforce), killer.wrap(gen.hubspot), state
            ).run()
        gen.run(state=state)
        assert world(gen) == expected, f"killed after write {at}"
