"""``/_control/...``: the test controls over HTTP, for a stand-in running in another process.

Every answer is ``{"ok": true, "result": ...}`` or ``{"ok": false, "description": ...}``.
Arguments come from the query string and/or a JSON (or form) body.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .httpserver import HttpRequest, HttpResponse
from .validate import ApiError

if TYPE_CHECKING:
    from .server import BotApiServer

Route = Callable[["BotApiServer", dict[str, Any]], Any]

DEDUPE_KEYS = {
    "chat_text": lambda m: (m.chat_id, m.plain_text),
    "chat": lambda m: m.chat_id,
    "chat_source": lambda m: (m.chat_id, m.text),
}


def _int(args: dict[str, Any], name: str, default: int | None = None) -> int | None:
    value = args.get(name, default)
    return None if value is None or value == "" else int(value)


def _since(items: list, args: dict[str, Any]) -> list:
    return items[_int(args, "since", 0) or 0 :]


def _sent(api: BotApiServer, args: dict[str, Any]) -> list[dict]:
    chat_id = _int(args, "chat_id")
    messages = api.sent if chat_id is None else api.sent_to(chat_id)
    return [m.to_json() for m in _since(messages, args)]


def _stats(api: BotApiServer, args: dict[str, Any]) -> dict:
    key = DEDUPE_KEYS[args.get("dedupe", "chat_text")]
    return api.stats(key).to_json()


def _requests(api: BotApiServer, args: dict[str, Any]) -> list[dict]:
    records = api.calls(args["method"]) if args.get("method") else api.requests
    return [asdict(r) for r in _since(records, args)]


async def _wait(api: BotApiServer, args: dict[str, Any]) -> int:
    """Hold until ``sent`` messages were accepted (to ``chat_id`` if given); the count."""
    chat_id = _int(args, "chat_id")
    wanted = _int(args, "sent", 1) or 1
    timeout = float(args.get("timeout", 30))

    def count() -> int:
        return len(api.sent) if chat_id is None else len(api.sent_to(chat_id))

    await api.wait_for(lambda: count() >= wanted, timeout)
    return count()


def _fail_next(api: BotApiServer, args: dict[str, Any]) -> bool:
    api.fail_next(
        _int(args, "chat_id"),
        _int(args, "n", 1) or 1,
        args.get("kind", 429),
        method=args.get("method"),
        retry_after=_int(args, "retry_after", 1) or 1,
        description=args.get("description"),
        hold=float(args.get("hold", 0)),
    )
    return True


def _limits(api: BotApiServer, args: dict[str, Any]) -> bool:
    per_chat = args.get("per_chat_per_second")
    api.set_limits(
        _int(args, "global_per_second"),
        None if per_chat in (None, "") else float(per_chat),
        _int(args, "per_chat_burst", 3) or 3,
        _int(args, "per_group_per_minute"),
    )
    return True


def _shutdown(api: BotApiServer, args: dict[str, Any]) -> bool:
    event = api.shutdown_requested
    if event is None:
        raise ValueError("this stand-in was not started as a standalone process")
    event.set()
    return True


ROUTES: dict[str, Route | Callable[..., Awaitable[Any]]] = {
    "health": lambda api, a: {"port": api.port, "base_url": api.base_url, "token": api.token},
    "push_message": lambda api, a: api.push_message(
        int(a["user_id"]),
        a["text"],
        first_name=a.get("first_name", "Pengguna"),
        username=a.get("username"),
        reply_to=_int(a, "reply_to"),
        chat_id=_int(a, "chat_id"),
    ),
    "push_callback": lambda api, a: api.push_callback(
        int(a["user_id"]), int(a["message_id"]), a["data"], chat_id=_int(a, "chat_id")
    ),
    "press": lambda api, a: api.press(
        int(a["user_id"]), a["label"], message_id=_int(a, "message_id")
    ),
    "block": lambda api, a: api.block(int(a["chat_id"])) or True,
    "unblock": lambda api, a: api.unblock(int(a["chat_id"])) or True,
    "deactivate": lambda api, a: api.deactivate(int(a["chat_id"])) or True,
    "migrate": lambda api, a: api.migrate(int(a["chat_id"]), int(a["new_chat_id"])) or True,
    "fail_next": _fail_next,
    "limits": _limits,
    "clear": lambda api, a: api.clear_records() or True,
    "stats": _stats,
    "sent": _sent,
    "edits": lambda api, a: [asdict(e) for e in _since(api.edits, a)],
    "callback_answers": lambda api, a: [asdict(c) for c in _since(api.callback_answers, a)],
    "commands": lambda api, a: api.command_menus,
    "requests": _requests,
    "updates": lambda api, a: api.pending_updates,
    "wait": _wait,
    "shutdown": _shutdown,
}


async def handle_control(api: BotApiServer, request: HttpRequest) -> HttpResponse:
    name = request.path.removeprefix("/_control/").strip("/")
    route = ROUTES.get(name)
    if route is None:
        return _answer(404, {"ok": False, "description": f"unknown control {name!r}"})
    args: dict[str, Any] = dict(request.query)
    if request.body:
        from .server import decode_params

        try:
            args.update(decode_params(request))
        except ApiError as exc:
            return _answer(400, {"ok": False, "description": exc.description})
    try:
        result = route(api, args)
        if asyncio.iscoroutine(result):
            result = await result
    except TimeoutError as exc:
        return _answer(408, {"ok": False, "description": str(exc)})
    except (KeyError, ValueError, TypeError) as exc:
        return _answer(400, {"ok": False, "description": f"{type(exc).__name__}: {exc}"})
    return _answer(200, {"ok": True, "result": result})


def _answer(status: int, body: dict) -> HttpResponse:
    return HttpResponse(status, json.dumps(body, ensure_ascii=False, default=str).encode("utf-8"))
