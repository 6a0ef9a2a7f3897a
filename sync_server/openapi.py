"""The API as an OpenAPI 3.1 document (schemas are JSON Schema 2020-12).

Kept true by tests/server/test_openapi.py, which validates real requests and answers against it,
and fuzzed route by route from it. Limits come from :mod:`feetui.sync.protocol`, so the document
and the validation code cannot drift apart on them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from feetui.sync import protocol as p

UUID = {"type": "string", "format": "uuid", "pattern": "^[0-9a-f-]{36}$"}
HEX64 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
NAME = {"type": "string", "minLength": 1, "maxLength": p.MAX_NAME_LENGTH}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {"error": {"type": "string"}, "message": {"type": "string"}, "params": {"type": "object"}}
    ),
    "Record": _object(
        {
            "device_id": UUID,
            "seq": {"type": "integer", "minimum": 1, "maximum": p.MAX_INT},
            "record_id": UUID,
            "kind": {"type": "string", "pattern": p.KIND_PATTERN.pattern},
            "payload": {"type": "object"},
            "prev_hash": HEX64,
            "hash": HEX64,
        }
    ),
    "PushRequest": _object(
        {
            "device_id": UUID,
            "records": {
                "type": "array",
                "minItems": 1,
                "maxItems": p.MAX_BATCH,
                "items": _ref("Record"),
            },
        }
    ),
    "RecordResult": _object(
        {
            "record_id": UUID,
            "seq": {"type": "integer", "minimum": 1},
            "status": {"enum": list(p.RECORD_STATUSES)},
        },
        {"field": {"type": "string"}},
    ),
    "PushResponse": _object(
        {
            "device_id": UUID,
            "ack_seq": {"type": "integer", "minimum": 0},
            "results": {"type": "array", "items": _ref("RecordResult")},
        }
    ),
    "Change": _object(
        {
            "seq": {"type": "integer", "minimum": 1},
            "entity": {"enum": list(p.ENTITIES)},
            "op": {"enum": list(p.OPS)},
            "data": {"type": "object"},
        }
    ),
    "PullPage": _object(
        {
            "epoch": {"type": "string"},
            "cursor": {"type": "integer", "minimum": 0},
            "next_cursor": {"type": "integer", "minimum": 0},
            "changes": {"type": "array", "items": _ref("Change")},
            "more": {"type": "boolean"},
        }
    ),
    "EnrollRequest": _object(
        {
            "code": {"type": "string", "minLength": 1, "maxLength": 64},
            "device_id": UUID,
            "name": NAME,
        }
    ),
    "EnrollResponse": _object(
        {
            "token": {"type": "string"},
            "device_id": UUID,
            "site_id": {"type": "string"},
            "site_code": {"type": "string"},
            "site_name": {"type": "string"},
        }
    ),
    "LoginRequest": _object(
        {
            "code": {"type": "string", "minLength": 1, "maxLength": 64},
            "password": {"type": "string", "minLength": 1, "maxLength": 200},
        }
    ),
    "LoginResponse": _object(
        {
            "token": {"type": "string"},
            "expires_at": {"type": "string"},
            "role": {"enum": ["admin", "site_manager"]},
        }
    ),
    "ScanRequest": _object(
        {
            "payment_id": {
                **UUID,
                "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$",
            },
            "auth_code": {"type": "string", "pattern": "^[0-9]{16,24}$"},
            "amount_fen": {"type": "integer", "minimum": 1, "maximum": p.MAX_INT},
            "unit_id": {"anyOf": [UUID, {"type": "null"}]},
            "subject": {"type": "string", "minLength": 1, "maxLength": p.MAX_SCAN_SUBJECT},
        }
    ),
    "ScanState": _object(
        {
            "payment_id": UUID,
            "provider": {"enum": list(p.SCAN_PROVIDERS)},
            "state": {"enum": list(p.SCAN_STATES)},
            "amount_fen": {"type": "integer", "minimum": 1},
            "code_masked": {"type": "string", "pattern": r"^[0-9]{6}\*+[0-9]{4}$"},
            "transaction_id": {"type": ["string", "null"]},
            "reason": {"type": ["string", "null"]},
            "retry_after_ms": {"type": "integer", "minimum": 0, "maximum": p.MAX_SCAN_RETRY_MS},
            "paid_at": {"type": ["string", "null"]},
        }
    ),
    "Health": _object({"status": {"const": "ok"}, "version": {"type": "string"}}),
    "Report": _object(
        {
            "report": {"type": "string"},
            "params": {"type": "object"},
            "columns": {"type": "array", "items": {"type": "string"}},
            "rows": {"type": "array", "items": {"type": "object"}},
        }
    ),
}


def _json(schema: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": _ref(schema)}}}


def _answers(ok: str, *errors: int) -> dict[str, Any]:
    out: dict[str, Any] = {"200": {"description": "OK", **_json(ok)}}
    for status in errors:
        out[str(status)] = {"description": "error", **_json("Error")}
    return out


def _post(summary: str, body: str, ok: str, *errors: int, secured: bool = True) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "requestBody": {"required": True, **_json(body)},
        "responses": _answers(ok, *errors),
    }
    if not secured:
        operation["security"] = []
    return {"post": operation}


def _query(name: str, schema: dict[str, Any], *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


PATHS: dict[str, Any] = {
    f"{p.API_PREFIX}/health": {
        "get": {"summary": "Liveness", "security": [], "responses": _answers("Health", 500)}
    },
    f"{p.API_PREFIX}/enroll": _post(
        "Enrol a counter with a one-time code",
        "EnrollRequest",
        "EnrollResponse",
        400,
        401,
        409,
        413,
        secured=False,
    ),
    f"{p.API_PREFIX}/login": _post(
        "Sign an HQ user in", "LoginRequest", "LoginResponse", 400, 401, 413, secured=False
    ),
    f"{p.API_PREFIX}/push": _post(
        "Push a batch of the device's journal records",
        "PushRequest",
        "PushResponse",
        400,
        401,
        403,
        413,
    ),
    f"{p.API_PREFIX}/pull": {
        "get": {
            "summary": "Changes after a cursor",
            "parameters": [
                _query("cursor", {"type": "integer", "minimum": 0, "maximum": p.MAX_INT}),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": p.MAX_PULL_LIMIT}),
            ],
            "responses": _answers("PullPage", 400, 401, 403),
        }
    },
}


def _scan_step(summary: str) -> dict[str, Any]:
    path_id = {"name": "payment_id", "in": "path", "required": True, "schema": UUID}
    return {
        "post": {
            "summary": summary,
            "parameters": [path_id],
            "responses": _answers("ScanState", 401, 403, 404),
        }
    }


PATHS.update(
    {
        f"{p.API_PREFIX}/pay/scan": _post(
            "Charge a scanned payment code once for the counter's payment id",
            "ScanRequest",
            "ScanState",
            400,
            401,
            403,
            409,
            413,
        ),
        f"{p.API_PREFIX}/pay/scan/{{payment_id}}/poll": _scan_step(
            "Where a scanned payment stands (HQ asks the provider while it is not final)"
        ),
        f"{p.API_PREFIX}/pay/scan/{{payment_id}}/cancel": _scan_step(
            "Cancel a scanned payment that is not final (reversed when the provider allows)"
        ),
    }
)

SITE = _query("site", {"type": "string", "minLength": 1, "maxLength": 40})
FORMAT = _query("format", {"enum": ["json", "csv", "xlsx"]})
MONTH = {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"}


def _report(summary: str, *parameters: dict[str, Any]) -> dict[str, Any]:
    ok = {
        "description": "the report; CSV and XLSX with money in yuan",
        "content": {
            "application/json": {"schema": _ref("Report")},
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
        },
    }
    responses = {
        "200": ok,
        **{k: v for k, v in _answers("Report", 400, 401, 403, 404).items() if k != "200"},
    }
    return {
        "get": {
            "summary": summary,
            "parameters": [*parameters, SITE, FORMAT],
            "responses": responses,
        }
    }


PATHS.update(
    {
        f"{p.API_PREFIX}/reports/daily": _report(
            "Takings of a business date per site, device and method",
            _query("date", DATE, required=True),
        ),
        f"{p.API_PREFIX}/reports/collection-rate": _report(
            "Collection rate of a billing month: collected for its charges ÷ billed (late fees"
            " left out), earlier months' arrears collected apart",
            _query("period", MONTH, required=True),
            _query("as_of", DATE),
            _query("by", {"enum": ["site", "building", "fee_item"]}),
        ),
        f"{p.API_PREFIX}/reports/arrears": _report(
            "What each unit owes as of a date, aged", _query("as_of", DATE, required=True)
        ),
        f"{p.API_PREFIX}/reports/exceptions": _report(
            "Integrity alarms and business flags", _query("resolved", {"enum": ["true", "false"]})
        ),
        f"{p.API_PREFIX}/reports/shifts": _report(
            "The shifts of a business date: cash expected, counted, over/short, pay-ins,"
            " pay-outs and bank deposits with their slip numbers, and the takings per tender"
            " method, net of voids, in fixed columns (cash_fen, card_fen, wechat_fen,"
            " alipay_fen, bank_fen, cheque_fen, prepaid_fen, other_fen) with refunds_fen",
            _query("date", DATE, required=True),
        ),
        f"{p.API_PREFIX}/reports/scanpay": _report(
            "Scanned-code payments of a day against the providers' bills, differences listed",
            _query("date", DATE, required=True),
        ),
        "/metrics": {
            "get": {
                "summary": "Prometheus counters",
                "security": [],
                "responses": {
                    "200": {
                        "description": "text exposition format",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        f"{p.API_PREFIX}/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }
)


@cache
def openapi_document() -> dict[str, Any]:
    """The whole document (built once; treat it as read-only)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "feetui sync server", "version": str(p.PROTOCOL_VERSION)},
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


__all__ = ["SCHEMAS", "openapi_document"]
