"""The /_emulator/ control API, so that another process can drive `mapc emulate`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mapc.emulator.faults import FaultRule
from mapc.emulator.wire import BadJson, Request, Response

if TYPE_CHECKING:
    from mapc.emulator.server import Emulator

ControlHandler = Callable[["Emulator", Request, Any], Any]


def _info(emu: Emulator, request: Request, body: Any) -> Any:
    return emu.info()


def _reset(emu: Emulator, request: Request, body: Any) -> Any:
    body = body or {}
    emu.reset(
        body.get("seed"), person_accounts=body.get("person_accounts"), edition=body.get("edition")
    )
    return {"ok": True}


def _seed(emu: Emulator, request: Request, body: Any) -> Any:
    return {"refs": emu.seed(body or {})}


def _dump(emu: Emulator, request: Request, body: Any) -> Any:
    return emu.dump()


def _calls(emu: Emulator, request: Request, body: Any) -> Any:
    return emu.calls(request.arg("pattern"))


def _reset_calls(emu: Emulator, request: Request, body: Any) -> Any:
    emu.reset_calls()
    return {"ok": True}


def _faults(emu: Emulator, request: Request, body: Any) -> Any:
    return [rule.to_dict() for rule in emu.faults.rules()]


def _add_fault(emu: Emulator, request: Request, body: Any) -> Any:
    return emu.faults.add(FaultRule.from_dict(body or {})).to_dict()


def _clear_faults(emu: Emulator, request: Request, body: Any) -> Any:
    emu.clear_faults()
    return {"ok": True}


def _clock(emu: Emulator, request: Request, body: Any) -> Any:
    body = body or {}
    if body.get("unfreeze"):
        emu.clock.unfreeze()
    if "freeze" in body:
        emu.clock.freeze(None if body["freeze"] in (True, None) else str(body["freeze"]))
    if body.get("advance"):
        emu.clock.advance(float(body["advance"]))
    return {"now": emu.clock.now().isoformat(), "frozen": emu.clock.frozen}


def _configure(emu: Emulator, request: Request, body: Any) -> Any:
    body = body or {}
    emu.configure(
        person_accounts=body.get("person_accounts"),
        edition=body.get("edition"),
        rate_limit=body.get("rate_limit"),
        salesforce_daily_limit=body.get("salesforce_daily_limit"),
    )
    return {"ok": True}


def _email_events(emu: Emulator, request: Request, body: Any) -> Any:
    return {"events": emu.add_email_events(list((body or {}).get("events") or []))}


def _sf_undelete(emu: Emulator, request: Request, body: Any) -> Any:
    return {"results": emu.salesforce_undelete(list((body or {})["ids"]))}


def _sf_merge(emu: Emulator, request: Request, body: Any) -> Any:
    body = body or {}
    return emu.salesforce_merge(
        str(body["masterRecordId"]), list(body["recordToMergeIds"]), body.get("masterRecord")
    )


def _sf_convert_lead(emu: Emulator, request: Request, body: Any) -> Any:
    options = dict(body or {})
    return emu.convert_lead(str(options.pop("leadId")), **options)


def _hs_restore(emu: Emulator, request: Request, body: Any) -> Any:
    body = body or {}
    return {"results": emu.hubspot_restore(str(body["objectType"]), list(body["ids"]))}


def _hs_edit(emu: Emulator, request: Request, body: Any) -> Any:
    body = body or {}
    user = body.get("userId")
    return emu.hubspot_edit(
        str(body["objectType"]),
        str(body["id"]),
        dict(body["properties"]),
        None if user is None else int(user),
    )


def _sf_object(emu: Emulator, request: Request, body: Any) -> Any:
    emu.add_salesforce_object(dict(body or {}))
    return {"ok": True}


def _hs_webhooks(emu: Emulator, request: Request, body: Any) -> Any:
    return emu.subscribe_webhooks(dict(body or {}))


def _hs_deliveries(emu: Emulator, request: Request, body: Any) -> Any:
    return {"deliveries": emu.flush_webhooks()}


_ROUTES: dict[tuple[str, str], ControlHandler] = {
    ("GET", "info"): _info,
    ("POST", "reset"): _reset,
    ("POST", "seed"): _seed,
    ("GET", "dump"): _dump,
    ("GET", "calls"): _calls,
    ("POST", "calls/reset"): _reset_calls,
    ("DELETE", "calls"): _reset_calls,
    ("GET", "faults"): _faults,
    ("POST", "faults"): _add_fault,
    ("DELETE", "faults"): _clear_faults,
    ("GET", "clock"): _clock,
    ("POST", "clock"): _clock,
    ("POST", "config"): _configure,
    ("POST", "email-events"): _email_events,
    ("POST", "salesforce/undelete"): _sf_undelete,
    ("POST", "salesforce/merge"): _sf_merge,
    ("POST", "salesforce/convert-lead"): _sf_convert_lead,
    ("POST", "hubspot/restore"): _hs_restore,
    ("POST", "hubspot/edit"): _hs_edit,
    ("POST", "salesforce/objects"): _sf_object,
    ("POST", "hubspot/webhooks"): _hs_webhooks,
    ("GET", "hubspot/webhooks"): _hs_deliveries,
}


def make_control(emu: Emulator) -> Callable[[Request], Response]:
    def control(request: Request) -> Response:
        name = request.path.removeprefix("/_emulator/").strip("/")
        handler = _ROUTES.get((request.method, name))
        if handler is None:
            return Response(
                404,
                {
                    "error": f"no control endpoint {request.method} {name}",
                    "endpoints": sorted(f"{m} /_emulator/{n}" for m, n in _ROUTES),
                },
            )
        try:
            return Response(200, handler(emu, request, request.json()))
        except (BadJson, ValueError, KeyError, TypeError) as exc:
            return Response(400, {"error": str(exc)})

    return control
