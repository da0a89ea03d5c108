"""HubSpot writes: batch create, update, upsert and archive of 100, and v4 default
associations, each returning one WriteResult per input."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from mapc.runtime.errors import TransientError
from mapc.runtime.hubspot.batch import BATCH_SIZE, match_results, write_isolating
from mapc.runtime.hubspot.http import HubSpotHttpError, HubSpotTransport, Reply
from mapc.runtime.records import TRANSIENT, WriteResult, chunked

Batch = Sequence[tuple[int, dict[str, Any]]]


def _stringify(properties: Mapping[str, Any]) -> dict[str, Any]:
    """HubSpot takes property values as strings (booleans as "true"/"false")."""
    out: dict[str, Any] = {}
    for key, value in properties.items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif value is None or isinstance(value, str):
            out[key] = "" if value is None else value
        else:
            out[key] = str(value)
    return out


class HubSpotWrites:
    """Every write the connector makes, through its transport and the client's batch APIs
    (`batch`: hubspot.crm.objects.BatchApi, `assoc`: hubspot.crm.associations.v4.BatchApi)."""

    def __init__(self, http: HubSpotTransport, batch: Any, assoc: Any) -> None:
        self._http = http
        self._batch = batch
        self._assoc = assoc

    def _write(
        self,
        endpoint: str,
        call: Any,
        object_type: str,
        inputs: list[dict[str, Any]],
        *,
        safe: bool,
        what: str,
        body_key: str,
        key_of_input: Any,
        key_of_result: Any,
        created: bool = False,
    ) -> list[WriteResult]:
        def send(batch: Batch) -> Reply:
            body: dict[str, Any] = {body_key: {"inputs": [item for _, item in batch]}}
            return self._http.generated(endpoint, call, object_type, safe=safe, what=what, **body)

        def parse(batch: Batch, reply: Reply) -> list[WriteResult]:
            results = match_results(batch, reply.body, key_of_input, key_of_result)
            if created:  # a create's results carry no "new" flag: every success is new
                results = [replace(r, created=r.ok) for r in results]
            return results

        return self._write_batches(list(enumerate(inputs)), send, parse, what)

    def _write_batches(
        self,
        indexed: list[tuple[int, dict[str, Any]]],
        send: Callable[[Batch], Reply],
        parse: Callable[[Batch, Reply], list[WriteResult]],
        what: str,
    ) -> list[WriteResult]:
        """Write in batches of 100. A batch that still fails after every safe retry gets
        TRANSIENT_ERROR results (for a create the outcome is unknown) and the next batch
        goes on; a bad token or a missing scope stops everything."""
        out: list[WriteResult] = []
        for batch in chunked(indexed, BATCH_SIZE):
            try:
                out += write_isolating(batch, send, parse)
            except (HubSpotHttpError, TransientError) as exc:
                error = self._http.translate(exc, what)
                if not isinstance(error, TransientError):
                    raise error from None
                out += [WriteResult.failure(i, TRANSIENT, str(error)) for i, _ in batch]
        return out

    def create(self, object_type: str, records: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        inputs = [
            {"properties": _stringify(r), "objectWriteTraceId": str(i)}
            for i, r in enumerate(records)
        ]
        return self._write(
            "POST batch/create",
            self._batch.create,
            object_type,
            inputs,
            safe=False,
            what=f"create {object_type}",
            body_key="batch_input_simple_public_object_batch_input_for_create",
            key_of_input=lambda item: None,
            key_of_result=lambda result: None,
            created=True,
        )

    def update(self, object_type: str, records: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        inputs = []
        for i, record in enumerate(records):
            props = {k: v for k, v in record.items() if k != "id"}
            if not record.get("id"):
                raise ValueError(f"update needs an id in every record (input {i})")
            inputs.append(
                {
                    "id": str(record["id"]),
                    "properties": _stringify(props),
                    "objectWriteTraceId": str(i),
                }
            )
        return self._write(
            "POST batch/update",
            self._batch.update,
            object_type,
            inputs,
            safe=True,
            what=f"update {object_type}",
            body_key="batch_input_simple_public_object_batch_input",
            key_of_input=lambda item: item["id"],
            key_of_result=lambda result: str(result.get("id")),
        )

    def upsert(
        self, object_type: str, records: Sequence[Mapping[str, Any]], *, id_property: str = "email"
    ) -> list[WriteResult]:
        inputs = []
        for i, record in enumerate(records):
            key = record.get(id_property)
            if not key:
                raise ValueError(f"upsert needs {id_property} in every record (input {i})")
            inputs.append(
                {
                    "idProperty": id_property,
                    "id": str(key),
                    "properties": _stringify(record),
                    "objectWriteTraceId": str(i),
                }
            )

        def key_of_result(result: Mapping[str, Any]) -> str | None:
            value = (result.get("properties") or {}).get(id_property)
            return str(value).lower() if value else None

        return self._write(
            "POST batch/upsert",
            self._batch.upsert,
            object_type,
            inputs,
            safe=True,
            what=f"upsert {object_type}",
            body_key="batch_input_simple_public_object_batch_input_upsert",
            key_of_input=lambda item: item["id"].lower(),
            key_of_result=key_of_result,
        )

    def archive(self, object_type: str, ids: Sequence[str]) -> list[WriteResult]:
        out: list[WriteResult] = []
        indexed = list(enumerate(ids))
        for batch in chunked(indexed, BATCH_SIZE):
            body = {"inputs": [{"id": str(i)} for _, i in batch]}
            try:
                self._http.generated(
                    "POST batch/archive",
                    self._batch.archive,
                    object_type,
                    batch_input_simple_public_object_id=body,
                    safe=True,
                    what=f"archive {object_type}",
                )
            except HubSpotHttpError as exc:
                raise self._http.translate(exc, f"archive {object_type}") from None
            out += [WriteResult(n, True, str(i)) for n, i in batch]
        return out

    def associate(
        self, from_type: str, to_type: str, pairs: Sequence[tuple[str, str]]
    ) -> list[WriteResult]:
        """Default (unlabelled) associations; creating one that exists changes nothing."""
        inputs = [{"from": {"id": str(a)}, "to": {"id": str(b)}} for a, b in pairs]

        def send(batch: Batch) -> Reply:
            return self._http.generated(
                "POST associations/batch/create",
                self._assoc.create_default,
                from_type,
                to_type,
                batch_input_public_default_association_multi_post={"inputs": [x for _, x in batch]},
                safe=True,
                what=f"associate {from_type} with {to_type}",
            )

        def parse(batch: Batch, reply: Reply) -> list[WriteResult]:
            def key_in(item: dict[str, Any]) -> str:
                return f"{item['from']['id']}:{item['to']['id']}"

            def key_out(result: Mapping[str, Any]) -> str:
                return (
                    f"{(result.get('from') or {}).get('id')}:{(result.get('to') or {}).get('id')}"
                )

            return match_results(batch, reply.body, key_in, key_out)

        return self._write_batches(
            list(enumerate(inputs)), send, parse, f"associate {from_type} with {to_type}"
        )

    def dissociate(
        self, from_type: str, to_type: str, pairs: Sequence[tuple[str, str]]
    ) -> list[WriteResult]:
        """Remove every association (of any label) between each pair; removing one that
        does not exist changes nothing (v4 batch archive answers 204)."""
        inputs = [{"from": {"id": str(a)}, "to": [{"id": str(b)}]} for a, b in pairs]

        def send(batch: Batch) -> Reply:
            return self._http.generated(
                "POST associations/batch/archive",
                self._assoc.archive,
                from_type,
                to_type,
                batch_input_public_association_multi_archive={"inputs": [x for _, x in batch]},
                safe=True,
                what=f"remove {from_type} to {to_type} associations",
            )

        def parse(batch: Batch, _reply: Reply) -> list[WriteResult]:
            return [WriteResult(i, True, str(item["from"]["id"])) for i, item in batch]

        return self._write_batches(
            list(enumerate(inputs)), send, parse, f"remove {from_type} to {to_type} associations"
        )
