"""WeCom conversation archive (decrypted messages): JSONL, a JSON array, or a pull envelope.

Who is the guide: staff ids from the roster. With an empty roster the WeCom convention applies
instead: external contacts' ids start with `wm` or `wo`, anything else is staff.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from salesbrain.ingest.records import (
    ConsentEvent,
    IncomingMessage,
    Parsed,
    Recall,
    RecordError,
    Rejected,
    Skipped,
    check_length,
    json_array_items,
    json_lines,
    parse_timestamp_ms,
    require_text,
)
from salesbrain.schema import MessageType, Role

_PLACEHOLDERS = {
    "image": (MessageType.IMAGE, "[图片]"),
    "voice": (MessageType.VOICE, "[语音]"),
    "video": (MessageType.VIDEO, "[视频]"),
    "file": (MessageType.FILE, "[文件]"),
    "emotion": (MessageType.EMOTION, "[表情]"),
    "card": (MessageType.CARD, "[名片]"),
    "location": (MessageType.LOCATION, "[位置]"),
    "chatrecord": (MessageType.OTHER, "[聊天记录]"),
    "news": (MessageType.OTHER, "[图文]"),
    "markdown": (MessageType.OTHER, "[图文]"),
    "meeting_voice_call": (MessageType.OTHER, "[语音通话]"),
    "voip_doc_share": (MessageType.OTHER, "[文档]"),
    "docmsg": (MessageType.OTHER, "[文档]"),
    "calendar": (MessageType.OTHER, "[日程]"),
    "todo": (MessageType.OTHER, "[待办]"),
    "vote": (MessageType.OTHER, "[投票]"),
    "sphfeed": (MessageType.OTHER, "[视频号]"),
}
# Media metadata worth keeping (never the content itself).
_MEDIA_META = ("md5sum", "filesize", "play_length", "fileext")


class StaffDirectory:
    """Decides which ids are guides."""

    def __init__(self, staff_ids: set[str]) -> None:
        self.staff_ids = staff_ids

    def is_staff(self, user_id: str) -> bool:
        if self.staff_ids:
            return user_id in self.staff_ids
        return not user_id.startswith(("wm", "wo"))


def read_wecom(path: Path, staff: StaffDirectory) -> Iterator[Parsed]:
    for line, record, reason in _records(path):
        if record is None:
            yield Rejected(line, reason)
            continue
        try:
            yield parse_record(record, line, staff)
        except RecordError as error:
            yield Rejected(line, str(error), json.dumps(record, ensure_ascii=False)[:2000])


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        items: Iterator[tuple[int, Any, str]] = json_array_items(path)
    elif head.startswith(b"{") and b'"chatdata"' in head and b"\n{" not in head:
        items = json_array_items(path, key="chatdata")
    else:
        for line, value, reason, _raw in json_lines(path):
            yield line, value, reason
        return
    for index, item, reason in items:
        if item is not None and not isinstance(item, dict):
            yield index, None, "expected a JSON object"
        else:
            yield index, item, reason


def parse_record(record: dict[str, Any], line: int, staff: StaffDirectory) -> Parsed:
    if "encrypt_chat_msg" in record:
        raise RecordError("encrypted record: decrypt it with the WeCom SDK before ingesting")
    action = record.get("action", "send")
    if action == "switch":
        return Skipped(line, "switch")
    msgtype = require_text(record.get("msgtype"), "msgtype")
    if msgtype in ("agree", "disagree"):
        return _consent(record, msgtype, line)
    if action == "recall" or msgtype == "revoke":
        payload = record.get("revoke")
        if not isinstance(payload, dict):
            raise RecordError("recall without a 'revoke' object")
        return Recall(require_text(payload.get("pre_msgid"), "revoke.pre_msgid"), line)
    if action != "send":
        raise RecordError(f"unknown action {action!r}")
    return _message(record, msgtype, line, staff)


def _consent(record: dict[str, Any], msgtype: str, line: int) -> ConsentEvent:
    payload = record.get(msgtype) or {}
    customer = payload.get("userid") or record.get("from")
    when = payload.get("agree_time") or payload.get("disagree_time") or record.get("msgtime")
    return ConsentEvent(
        require_text(customer, f"{msgtype}.userid"),
        msgtype == "agree",
        parse_timestamp_ms(when, "agree_time"),
        line,
    )


def _message(
    record: dict[str, Any], msgtype: str, line: int, staff: StaffDirectory
) -> IncomingMessage:
    msgid = require_text(record.get("msgid"), "msgid")
    sender = require_text(record.get("from"), "from")
    receivers = record.get("tolist")
    if not isinstance(receivers, list) or not receivers:
        raise RecordError("missing field 'tolist'")
    room = record.get("roomid") or ""
    ts_ms = parse_timestamp_ms(record.get("msgtime"), "msgtime")
    kind, text, meta = _payload(record, msgtype)
    if staff.is_staff(sender):
        role, guide = Role.GUIDE, sender
        customer = f"room:{room}" if room else str(receivers[0])
    else:
        role, customer = Role.CUSTOMER, sender
        guide = next((str(r) for r in receivers if staff.is_staff(str(r))), "")
        if not guide:
            raise RecordError("no guide among sender and receivers")
    return IncomingMessage(
        msgid, guide, customer, role, ts_ms, kind, check_length(text), line, room_id=room, meta=meta
    )


def _payload(record: dict[str, Any], msgtype: str) -> tuple[MessageType, str, dict[str, Any]]:
    body = record.get(msgtype)
    if msgtype == "text":
        if not isinstance(body, dict) or not isinstance(body.get("content"), str):
            raise RecordError("missing field 'text.content'")
        return MessageType.TEXT, body["content"], {}
    if msgtype == "mixed":
        return MessageType.TEXT, _mixed_text(body), {}
    if msgtype == "link":
        body = body if isinstance(body, dict) else {}
        title = str(body.get("title", ""))
        meta: dict[str, Any] = {"title": title, "url": str(body.get("link_url", ""))}
        return MessageType.LINK, f"[链接] {title} {body.get('description', '')}".strip(), meta
    if msgtype == "weapp":
        body = body if isinstance(body, dict) else {}
        title = str(body.get("title", ""))
        return (
            MessageType.WEAPP,
            f"[小程序] {title}".strip(),
            {"app": str(body.get("displayname", ""))},
        )
    if msgtype in ("redpacket", "external_redpacket"):
        body = body if isinstance(body, dict) else {}
        meta = {"amount_fen": int(body.get("totalamount", 0) or 0)}
        return MessageType.REDPACKET, "[红包]", meta
    if msgtype in _PLACEHOLDERS:
        kind, placeholder = _PLACEHOLDERS[msgtype]
        body = body if isinstance(body, dict) else {}
        return kind, placeholder, {k: body[k] for k in _MEDIA_META if k in body}
    raise RecordError(f"unknown message type {msgtype!r}")


def _mixed_text(body: Any) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("item"), list):
        raise RecordError("missing field 'mixed.item'")
    parts = []
    for item in body["item"]:
        kind = item.get("type")
        try:
            content = json.loads(item.get("content") or "{}")
        except json.JSONDecodeError as error:
            raise RecordError(f"mixed item content is not JSON: {error.msg}") from error
        if kind == "text":
            parts.append(str(content.get("content", "")))
        elif kind in _PLACEHOLDERS:
            parts.append(_PLACEHOLDERS[kind][1])
    return " ".join(p for p in parts if p)
