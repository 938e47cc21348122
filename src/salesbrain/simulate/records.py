"""WeCom conversation-archive records (decrypted form), shaped like the official SDK's output.

Field names and payload shapes follow the archive format: `msgid, action, from, tolist, roomid,
msgtime, msgtype` plus one payload object named after `msgtype`.
"""

from __future__ import annotations

import base64
import json
import random
from typing import Any

from salesbrain.simulate import catalog

Record = dict[str, Any]
_MASK64 = (1 << 64) - 1


class MsgIds:
    """Unique message ids in the archive's `<number>_<epoch seconds>` shape.

    The number is a bijective scramble of a counter, so ids never collide and look random.
    """

    def __init__(self, seed: int) -> None:
        self._key = (seed * 0x2545F4914F6CDD1D + 0x632BE59BD9B4E019) & _MASK64
        self._counter = 0

    def next(self, msgtime_ms: int) -> str:
        self._counter += 1
        x = (self._counter * 0x9E3779B97F4A7C15 + self._key) & _MASK64
        x ^= x >> 31
        x = (x * 0xBF58476D1CE4E5B9) & _MASK64
        x ^= x >> 29
        return f"{x}_{msgtime_ms // 1000}"


def record(msgid: str, sender: str, receivers: list[str], roomid: str, msgtime_ms: int,
           msgtype: str, payload: dict[str, Any], action: str = "send") -> Record:
    return {"msgid": msgid, "action": action, "from": sender, "tolist": receivers,
            "roomid": roomid, "msgtime": msgtime_ms, "msgtype": msgtype, msgtype: payload}


def _sdkfileid(rng: random.Random) -> str:
    return base64.b64encode(rng.getrandbits(480).to_bytes(60, "big")).decode("ascii")


def _md5(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def image(rng: random.Random) -> dict[str, Any]:
    return {"md5sum": _md5(rng), "filesize": rng.randint(40_000, 3_500_000),
            "sdkfileid": _sdkfileid(rng)}


def emotion(rng: random.Random) -> dict[str, Any]:
    side = rng.choice((120, 180, 240))
    return {"type": rng.choice((1, 2)), "width": side, "height": side,
            "imagesize": rng.randint(3_000, 400_000), "md5sum": _md5(rng),
            "sdkfileid": _sdkfileid(rng)}


def voice(rng: random.Random) -> dict[str, Any]:
    seconds = rng.randint(2, 40)
    return {"md5sum": _md5(rng), "voice_size": seconds * rng.randint(1500, 2200),
            "play_length": seconds, "sdkfileid": _sdkfileid(rng)}


def link(rng: random.Random, product: str, colour: str, guide_id: str) -> dict[str, Any]:
    sku = rng.randrange(10**7, 10**8)
    return {"title": f"{catalog.BRAND_NAME} {product} {colour}",
            "description": rng.choice(("秋冬新款，会员专享价", "点击查看详情和尺码表", "导购推荐")),
            "link_url": f"https://m.{catalog.BRAND_DOMAIN}/item/{sku}?guide={guide_id}",
            "image_url": f"https://img.{catalog.BRAND_DOMAIN}/sku/{sku}.jpg"}


def weapp(rng: random.Random, product: str) -> dict[str, Any]:
    return {"title": f"{product}｜{rng.choice(('限时优惠', '新品上市', '会员专享', '到手价'))}",
            "description": "", "username": "gh_5a8c2e71d9f3@app",
            "displayname": f"{catalog.BRAND_NAME}官方商城"}


def mixed(rng: random.Random, text: str) -> dict[str, Any]:
    items = [{"type": "text", "content": json.dumps({"content": text}, ensure_ascii=False)},
             {"type": "image", "content": json.dumps(image(rng))}]
    if rng.random() < 0.3:
        items.reverse()
    return {"item": items}


def redpacket(rng: random.Random, wish: str) -> dict[str, Any]:
    return {"type": 1, "wish": wish, "totalcnt": 1,
            "totalamount": rng.choice((188, 520, 666, 888, 1000, 2000))}


def consent(customer_id: str, agreed: bool, msgtime_ms: int) -> dict[str, Any]:
    # The archive names the time field after the decision: agree_time or disagree_time.
    key = "agree_time" if agreed else "disagree_time"
    return {"userid": customer_id, key: msgtime_ms}
