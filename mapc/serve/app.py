"""The web app: Sync health page, exports, retry/ignore behind a token, /metrics, /healthz.

Starlette (ASGI) with Jinja2 templates, server-rendered, no JavaScript: a page that works
on any phone browser and is fully testable by loading it.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mapc.errors import MapcError
from mapc.runtime.config import masked_text
from mapc.runtime.health import actions
from mapc.runtime.health.categories import Category, parse_category
from mapc.runtime.health.export import write_csv
from mapc.runtime.health.overview import Filters, Overview, duration, open_views, overview
from mapc.runtime.health.records import HUBSPOT, SALESFORCE, ErrorView, Where, views
from mapc.runtime.health.status import human_duration
from mapc.runtime.sync import schema
from mapc.runtime.sync.state import StateStore, masked
from mapc.serve.auth import COOKIE, MAX_AGE, Sessions, Token
from mapc.serve.hooks import PATH as HOOK_PATH
from mapc.serve.hooks import HookConfig, hubspot_hook
from mapc.serve.metrics import StateCollector

log = logging.getLogger("mapc.serve")

MAX_FORM = 16 * 1024
LOOPBACK = ("127.0.0.1", "localhost", "::1")
ACTIONS = ("retry", "ignore")
SECURITY_HEADERS = {
    # No scripts at all; styles from this server only; no framing; forms post here only.
    "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    # Not no-referrer: that makes a browser send `Origin: null` on this page's own
    # forms, and the actions check Origin. Other sites still get no referrer.
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}
DONE = {
    "retry": "{n} record(s) will be retried by the next run.",
    "ignore": "{n} record(s) ignored: not retried until they change.",
    "unlocked": "Actions unlocked for this browser.",
    "locked": "Actions locked.",
    "badtoken": "That token is not the one this server was started with.",
}


@dataclass(frozen=True)
class ServeConfig:
    target: str
    account: str
    where: Where
    token: Token
    allowed_hosts: tuple[str, ...] = LOOPBACK
    """Host headers answered (DNS rebinding: another site's name pointed at this address)."""
    private: bool = False
    """The page, exports and /metrics need the token too (not only the actions)."""


class StateHolder:
    """The state store, opened on first use and again after it failed (a database that
    was down comes back without restarting the server)."""

    def __init__(self, target: str, account: str) -> None:
        self.target, self.account = target, account
        self._state: StateStore | None = None
        self._lock = threading.Lock()

    def get(self) -> StateStore:
        with self._lock:
            if self._state is None:
                # Never upgraded here: an older mapc may still be the one running the sync.
                self._state = StateStore(
                    self.target, account=self.account, create=False, migrate=False
                )
            return self._state

    def drop(self) -> None:
        with self._lock:
            if self._state is not None:
                self._state.close()
            self._state = None


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("mapc.serve", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ago"] = human_duration
    env.filters["seconds"] = _seconds
    env.filters["number"] = lambda n: "unknown" if n is None else f"{n:,}"
    env.filters["moment"] = lambda t: (t or "")[:19].replace("T", " ")
    env.globals["duration"] = duration
    return env


def _seconds(value: float | None) -> str:
    """A run's duration: tenths of a second while short, else as `mapc status` says it."""
    if value is None:
        return "unknown"
    return f"{value:.1f}s" if value < 10 else human_duration(value)


def _filters(request: Request) -> Filters:
    q = request.query_params
    category: Category | None = None
    if q.get("category"):
        try:
            category = parse_category(q["category"])
        except ValueError:
            category = None
    side = q.get("side") if q.get("side") in (HUBSPOT, SALESFORCE) else None
    return Filters(category, side, q.get("object") or None)


def create_app(
    config: ServeConfig, *, holder: StateHolder | None = None, hooks: HookConfig | None = None
) -> Starlette:
    states = holder or StateHolder(config.target, config.account)
    token = config.token
    sessions = Sessions()
    env = _templates()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StateCollector(states.get))

    def authorized(request: Request) -> bool:
        if not token.enabled:
            return False
        bearer = request.headers.get("authorization", "")
        if bearer.lower().startswith("bearer ") and token.matches(bearer[7:].strip()):
            return True
        return sessions.valid(request.cookies.get(COOKIE))

    def locked_out(request: Request) -> bool:
        return config.private and not authorized(request)

    def read(what: Callable[[StateStore], Any]) -> Any:
        try:
            return what(states.get())
        except Exception:
            states.drop()  # open it again on the next request
            raise

    def page(request: Request) -> Response:
        filters = _filters(request)
        context: dict[str, Any] = {
            "account": config.account,
            "target": masked(config.target),
            "now": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "token_enabled": token.enabled,
            "authorized": authorized(request),
            "filters": filters,
            "categories": list(Category),
            "done": _done(request),
            "link_note": _link_note(config.where),
            "export_query": _export_query(filters),
        }
        if locked_out(request):
            context["locked_out"] = True
            return HTMLResponse(env.get_template("page.html").render(context), status_code=401)
        try:
            data: Overview = read(lambda st: overview(st, config.where, filters=filters))
        except Exception as error:
            log.warning("state unreadable: %s", _loggable(error))
            context["unreadable"] = _why(error)
            return HTMLResponse(env.get_template("page.html").render(context), status_code=503)
        context["data"] = data
        context["objects"] = sorted({v.error.object for c in data.cards for v in c.records})
        return HTMLResponse(env.get_template("page.html").render(context))

    def css(request: Request) -> Response:
        del request
        text = env.loader.get_source(env, "page.css")[0] if env.loader else ""
        return Response(text, media_type="text/css")

    def export(request: Request) -> Response:
        if locked_out(request):
            return _private()
        filters = _filters(request)
        fmt = request.path_params["fmt"]
        if fmt not in ("json", "csv"):
            return PlainTextResponse("exports are /errors.json and /errors.csv", 404)

        def rows(state: StateStore) -> list[dict[str, Any]]:
            return [v.to_dict() for v in open_views(state, config.where, filters)]

        try:
            found = read(rows)
        except Exception as error:
            return PlainTextResponse(_why(error), status_code=503)
        if fmt == "json":
            return JSONResponse(found)
        out = io.StringIO()
        write_csv(out, found)
        return Response(
            out.getvalue(),
            media_type="text/csv",
            headers={"content-disposition": 'attachment; filename="mapc-errors.csv"'},
        )

    def metrics(request: Request) -> Response:
        if locked_out(request):
            return _private()
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    def healthz(request: Request) -> Response:
        del request
        try:
            version = read(_probe)
        except Exception as error:
            return JSONResponse({"status": "unavailable", "reason": _why(error)}, 503)
        answer: dict[str, Any] = {"status": "ok", "schema_version": version}
        if hooks is not None:
            answer["triggers"] = hooks.triggers.status()
        return JSONResponse(answer)

    async def login(request: Request) -> Response:
        if (refused := _refuse_post(request, token)) is not None:
            return refused
        form = await _form(request)
        if not token.matches(form.get("token")):
            return _back(request, "badtoken", status=303)
        response = _back(request, "unlocked")
        response.set_cookie(
            COOKIE,
            sessions.open(),
            max_age=MAX_AGE,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    async def logout(request: Request) -> Response:
        if (refused := _refuse_post(request, token)) is not None:
            return refused
        sessions.close(request.cookies.get(COOKIE))
        response = _back(request, "locked")
        response.delete_cookie(
            COOKIE, httponly=True, samesite="strict", secure=request.url.scheme == "https"
        )
        return response

    async def act(request: Request) -> Response:
        what = request.path_params["action"]
        if what not in ACTIONS:
            return PlainTextResponse("the actions are /errors/retry and /errors/ignore", 404)
        if (refused := _refuse_post(request, token)) is not None:
            return refused
        if not authorized(request):
            return PlainTextResponse("unlock the actions with the server's token first", 401)
        if not _bearer(request) and _same_origin(request) is not True:
            # A cookie is sent by the browser on its own: the post must show it came from
            # this page (Origin or Referer), not merely lack a foreign one.
            return PlainTextResponse("cross-site request refused", 403)
        form = await _form(request)
        try:
            selection = _selection(form)
        except ValueError as error:
            return PlainTextResponse(str(error), 400)
        operation = actions.retry if what == "retry" else actions.ignore

        def perform() -> int:
            state = states.get()
            return operation(state, _selected(state, config.where, selection))

        try:
            n = await run_in_threadpool(perform)
        except Exception as error:
            states.drop()
            return PlainTextResponse(_why(error), status_code=503)
        log.info("%s: %d record(s) (%s)", what, n, selection)
        return _back(request, what, n=n)

    routes = [
        Route("/", page),
        Route("/page.css", css),
        Route("/errors.{fmt:str}", export),
        Route("/metrics", metrics),
        Route("/healthz", healthz),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/errors/{action:str}", act, methods=["POST"]),
        # Authenticated by HubSpot's signature, not the token: open in private mode too.
        Route(HOOK_PATH, hubspot_hook(hooks), methods=["POST"]),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        del app
        if hooks is not None:
            hooks.triggers.start()
        try:
            yield
        finally:
            if hooks is not None:
                await run_in_threadpool(hooks.triggers.stop)

    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(SecurityHeaders)
    # Outermost: a request for another name is refused before anything reads the state.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(config.allowed_hosts))
    return app


def _probe(state: StateStore) -> int:
    with state.engine.connect() as conn:
        return schema.current_version(conn)


def _private() -> Response:
    return PlainTextResponse(
        "this server is private: send its token (Authorization: Bearer) or unlock the page", 401
    )


def _loggable(error: BaseException) -> str:
    """The error for the server's log: its type and its first line, passwords masked
    (a driver's text can carry the database URL)."""
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {masked_text(text)[:200]}"


def _why(error: BaseException) -> str:
    """One sentence for the page; a driver's own text can carry a URL, so it is not shown."""
    if isinstance(error, MapcError):
        return str(error).splitlines()[0]
    return f"the state database cannot be read ({type(error).__name__}); see the server's log"


def _link_note(where: Where) -> str:
    missing = []
    if not where.hubspot_portal:
        missing.append("HubSpot links need HUBSPOT_PORTAL_ID (or --hubspot-portal)")
    if not where.salesforce_url:
        missing.append("Salesforce links need SALESFORCE_INSTANCE_URL (or --salesforce-url)")
    return "; ".join(missing)


def _export_query(filters: Filters) -> str:
    query = {
        "category": filters.category.value if filters.category else None,
        "side": filters.side,
        "object": filters.object,
    }
    kept = {k: v for k, v in query.items() if v}
    return f"?{urlencode(kept)}" if kept else ""


def _done(request: Request) -> str:
    key = request.query_params.get("done", "")
    template = DONE.get(key)
    if template is None:
        return ""
    n = request.query_params.get("n", "0")
    return template.format(n=int(n) if n.isdigit() else 0)


def _back(request: Request, done: str, *, n: int | None = None, status: int = 303) -> Response:
    """Back to the page (keeping its filters), saying what was done."""
    query = {k: v for k, v in request.query_params.items() if k in {"category", "side", "object"}}
    query["done"] = done
    if n is not None:
        query["n"] = str(n)
    return RedirectResponse(f"/?{urlencode(query)}", status_code=status)


def _refuse_post(request: Request, token: Token) -> Response | None:
    if not token.enabled:
        return PlainTextResponse(
            "actions are off: start `mapc serve` with MAPC_SERVE_TOKEN set to turn them on", 403
        )
    # A form posted from another site is refused even with a valid cookie (the cookie is
    # SameSite=Strict already; this also covers browsers that ignore it).
    if _same_origin(request) is False:
        return PlainTextResponse("cross-site request refused", 403)
    return None


def _bearer(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("bearer ")


def _same_origin(request: Request) -> bool | None:
    """Whether a post came from this server's own page (by Origin, else Referer); None
    when the client sent neither (a script, not a browser)."""
    host = request.headers.get("host")
    origin = request.headers.get("origin")
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc == host
    referer = request.headers.get("referer")
    if referer:
        return urlsplit(referer).netloc == host
    return None


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM:
        return {}
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items() if v}


@dataclass(frozen=True)
class Target:
    """What a button acts on: one record (object, side, record id) or a card (category)."""

    category: Category | None = None
    object: str | None = None
    side: str | None = None
    record_id: str | None = None

    def __str__(self) -> str:
        if self.record_id:
            return f"{self.object} {self.record_id} rejected by {self.side}"
        return f"category {self.category.value if self.category else '?'}"


def _selected(state: StateStore, where: Where, target: Target) -> list[ErrorView]:
    """The errors a button names: a card's open ones; every error of a named record, the
    closed ones too (retrying an ignored record reopens it)."""
    if target.record_id is None:
        return open_views(state, where, Filters(category=target.category))
    assert target.object and target.side  # _selection checked
    return views(
        state, state.log.record_errors(target.object, target.side, target.record_id), where
    )


def _selection(form: dict[str, str]) -> Target:
    side = form.get("side") or None
    if side not in (None, HUBSPOT, SALESFORCE):
        raise ValueError(f"unknown side {side!r}")
    category = None
    if form.get("category"):
        category = parse_category(form["category"])
    selection = Target(
        category=category,
        object=form.get("object") or None,
        side=side,
        record_id=form.get("record_id") or None,
    )
    if selection.record_id and not (selection.object and selection.side):
        raise ValueError("a record is named by its object, side and record_id")
    if not (selection.record_id or selection.category):
        raise ValueError("name a record or a category")
    return selection
