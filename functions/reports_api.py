"""Reports (supervisors for their workstreams, admins for all; docs/reports.md): live
figures, summaries over days, the conversations behind a figure, and one row per
conversation as CSV."""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

import azure.functions as func

from core.errors import ValidationFailed
from core.clock import utcnow
from core.facts import SLA_COUNTS, Measures
from core.identity import ADMIN, SUPERVISOR
from core.records import CHANNELS
from core.reports import DAY, GROUPINGS, MEASURES, FactRow, Place, ReportQuery
from functions.cells import safe_cell
from functions.audited import audited
from functions.http import API_HEADERS, handled, json_response, page_limit, services
from functions.identity import scope_of

if TYPE_CHECKING:
    from conversations.access import Scope

bp = func.Blueprint()

MAX_DAYS = 92
FIRST_YEAR, LAST_YEAR = 2000, 9000  # days outside make no sense, and would overflow date arithmetic
DEFAULT_DAYS = 7
PAGE_LIMIT = 200
MAX_VALUE = 200  # characters of an id, a queue's name or a group's key
MAX_TOKEN = 4096
COLUMNS = ("conversation_id", "workstream_id", "queue", "channel", "provider", "created_at", "accepted_at",
           "first_agent_reply_at", "closed_at", "closed_by", "wait_seconds", "first_response_seconds",
           "handle_seconds", "resolution_seconds", "abandoned", "agents", "customer_messages", "agent_messages",
           "transfers", "bot_outcome", "disposition", "estimated_cost", "csat", *SLA_COUNTS)
_NO_STORE = {"Cache-Control": "no-store"}


@bp.route(route="api/reports/live", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def live_report(req: func.HttpRequest) -> func.HttpResponse:
    scope = scope_of(req, ADMIN, SUPERVISOR)
    found = services().reporting.live.live(scope, _text(req.params, "workstream_id"))
    return json_response(found, headers=_NO_STORE)


@bp.route(route="api/reports/summary", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def summary_report(req: func.HttpRequest) -> func.HttpResponse:
    scope = scope_of(req, ADMIN, SUPERVISOR)
    found = services().reporting.history.summary(scope, _query(req, scope))
    rates = services().admin.rates.get()  # estimated costs are in its currency
    return json_response({**found, "currency": rates.currency if rates else None}, headers=_NO_STORE)


@bp.route(route="api/reports/conversations", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def report_conversations(req: func.HttpRequest) -> func.HttpResponse:
    """The conversations behind one figure, a page at a time."""
    scope = scope_of(req, ADMIN, SUPERVISOR)
    q, limit = _query(req, scope), page_limit(req.params, 50, PAGE_LIMIT)
    after = _place(req.params.get("continuation"))
    rows, following = [], None
    for place, row in services().reporting.history.rows(scope, q, after):
        if len(rows) == limit:
            following = _token(last)
            break
        rows.append(fact_view(row, with_customer=False))
        last = place
    return json_response({"conversations": rows, "continuation": following}, headers=_NO_STORE)


@bp.route(route="api/reports/conversations.csv", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def report_csv(req: func.HttpRequest) -> func.HttpResponse:
    """One row per conversation; the customer's number for admins only."""
    scope = scope_of(req, ADMIN, SUPERVISOR)
    q = _query(req, scope)
    rows = services().reporting.history.rows(scope, q)
    body = "".join(_csv_lines((row for _, row in rows), with_customer=scope.is_admin))
    filters = {name: "" for name in req.params if name in FILTERS}  # by name: what the client added is not kept
    audited(req, scope.principal, "report.export", q.workstream_id or "*", filters)
    return func.HttpResponse(body, status_code=200, mimetype="text/csv", charset="utf-8", headers={
        **API_HEADERS, **_NO_STORE,
        "Content-Disposition": f'attachment; filename="conversations-{q.first}-{q.last}.csv"'})


def _query(req: func.HttpRequest, scope: Scope) -> ReportQuery:
    """The report the request asks for; without ``to``, up to the latest today among the
    workstreams it covers (read only then)."""
    return query_of(req.params, lambda: services().reporting.history.latest_day(
        scope, _text(req.params, "workstream_id")) or utcnow().date())


FILTERS = ("from", "to", "workstream_id", "queue", "agent_id", "channel", "group_by", "group", "measure")


def query_of(params: Mapping[str, str], today: Callable[[], date] = lambda: utcnow().date()) -> ReportQuery:
    last = _day(params, "to") or today()
    first = _day(params, "from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ValidationFailed("from", "must be on or before to")
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed("from", f"a report covers at most {MAX_DAYS} days")
    group_by, measure = params.get("group_by") or DAY, params.get("measure") or "conversations"
    if group_by not in GROUPINGS:
        raise ValidationFailed("group_by", f"must be one of {', '.join(GROUPINGS)}")
    if measure not in MEASURES:
        raise ValidationFailed("measure", f"must be one of {', '.join(MEASURES)}")
    channel = _text(params, "channel")
    if channel is not None and channel not in CHANNELS:
        raise ValidationFailed("channel", f"must be one of {', '.join(CHANNELS)}")
    return ReportQuery(first, last, _text(params, "workstream_id"), _text(params, "queue", empty=True),
                       _text(params, "agent_id"),
                       channel, group_by, _text(params, "group", empty=True), measure)


def fact_view(row: FactRow, with_customer: bool) -> dict[str, Any]:
    f, m = row.facts, row.measures
    found: dict[str, Any] = {
        "conversation_id": row.conversation_id, "workstream_id": row.workstream_id, "queue": row.queue,
        "channel": row.channel, "provider": row.provider, "created_at": row.created_at.isoformat(),
        "accepted_at": _at(f.accepted_at), "first_agent_reply_at": _at(f.first_agent_reply_at),
        "closed_at": _at(f.closed_at), "closed_by": f.closed_by, **_measures(m), "agents": list(f.agents),
        "customer_messages": f.customer_messages, "agent_messages": f.agent_messages, "transfers": f.transfers,
        "bot_outcome": f.bot_outcome, "csat": f.csat, "disposition": f.disposition, **m.sla_counts(),
        "estimated_cost": f.estimated_cost,
    }
    return {**found, "customer": row.customer or None} if with_customer else found


def _measures(m: Measures) -> dict[str, Any]:
    return {"wait_seconds": m.wait_seconds, "first_response_seconds": m.first_response_seconds,
            "handle_seconds": m.handle_seconds, "resolution_seconds": m.resolution_seconds, "abandoned": m.abandoned}


def _csv_lines(rows: Iterator[FactRow], with_customer: bool) -> Iterator[str]:
    columns = (*COLUMNS, "customer") if with_customer else COLUMNS
    yield _line(columns)
    for row in rows:
        view = fact_view(row, with_customer)
        yield _line(_cell(view[c]) for c in columns)


def _line(cells: Any) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(list(cells))
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return safe_cell(" ".join(value) if isinstance(value, list) else str(value))


def _at(value: Any) -> str | None:
    return value.isoformat() if value else None


def _day(params: Mapping[str, str], name: str) -> date | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        found = date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else _bad_day(name)
    except ValueError:
        return _bad_day(name)
    return found if FIRST_YEAR <= found.year <= LAST_YEAR else _bad_day(name)


def _bad_day(name: str) -> date:
    raise ValidationFailed(name, f"must be a day as YYYY-MM-DD, from {FIRST_YEAR} to {LAST_YEAR}")


def _text(params: Mapping[str, str], name: str, empty: bool = False) -> str | None:
    raw = params.get(name)
    if raw is None or (raw == "" and not empty):
        return None
    if len(raw) > MAX_VALUE:
        raise ValidationFailed(name, f"must be at most {MAX_VALUE} characters")
    return raw


def _token(place: Place) -> str:
    text = json.dumps([place.workstream_id, place.day, place.key], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _place(token: str | None) -> Place | None:
    if not token:
        return None
    try:
        if len(token) > MAX_TOKEN:
            raise ValueError("too long")
        found = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not (isinstance(found, list) and len(found) == 3 and all(isinstance(v, str) and len(v) <= MAX_VALUE
                                                                     for v in found)
                and re.fullmatch(r"\d{4}-\d{2}-\d{2}", found[1])):
            raise ValueError("not a place")
        return Place(*found)
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise ValidationFailed("continuation", "must be the continuation of an earlier page") from exc
