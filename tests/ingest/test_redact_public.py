"""Public text the redactor must leave alone, and the personal data next to it it must still
catch: a shop's floor in a mall, a star or brand a customer cites, label standards and product
codes (see `redact_words.shop_floor`, `redact_names.inside_brand`, `digits._SAFE`)."""

import pytest

from salesbrain.ingest.redact import redact, trim_tagged


@pytest.mark.parametrize("text", [
    # a mall and its floor, where customers meet the guide
    "国贸商城B1层那家店也有货",
    "万达广场3楼电梯口就是我们家",
    "我们店在万象城L3层325号铺",
    "朝阳大悦城6楼，出电梯右转",
    # a national standard on a label, a product code after its cue
    "吊牌上写着执行标准GB/T 22849-2014",
    "这个产品编号是100012345678，京东上能搜到",
])
def test_public_places_and_codes_are_kept(text: str) -> None:
    assert redact(text).spans == ()


@pytest.mark.parametrize("text", [
    "送到上海市浦东新区张杨路500号华润时代广场3楼301室",
    "地址万达广场5栋1203",
])
def test_a_home_or_office_in_a_plaza_is_still_an_address(text: str) -> None:
    assert [s.kind for s in redact(text).spans] == ["address"]


@pytest.mark.parametrize("text, name, kept", [
    # a star or streamer cited for a product, a brand's nickname
    ("李佳琦直播间卖的是同一款吗", "李佳琦", False),
    ("跟刘亦菲穿的那件是同款吗", "刘亦菲", False),
    ("周杰伦演唱会同款T恤", "周杰", False),
    ("白鹿同款卫衣有吗", "白鹿", False),
    ("阿迪三叶草 型号GZ1234", "阿迪", False),
    # the same words after a personal cue are somebody's name
    ("收件人李宁，不是那个牌子哈", "李宁", True),
    ("我叫周大福，真名", "周大福", True),
])
def test_tagged_public_names_are_dropped_unless_cued(text: str, name: str, kept: bool) -> None:
    start = text.index(name)
    spans = trim_tagged(text, [("person_name", start, start + len(name))])
    assert bool(spans) is kept


def test_tagged_shop_floor_is_dropped_but_a_flat_is_kept() -> None:
    text = "店铺地址：太古里北区2层，我家在蓝光小区3栋2单元501"
    shop, flat = text.index("太古里北区2层"), text.index("蓝光小区")
    tagged = [("address", shop, shop + 7), ("address", flat, len(text))]
    assert trim_tagged(text, tagged) == [("address", flat, len(text))]


@pytest.mark.parametrize("text, leaked", [
    # a phone's last four digits named as such
    ("尾号6688的那个是我老公的", ["6688"]),
    ("后四位8852，收件人赵敏", ["8852"]),
    ("尾号是9527，就是周星驰电影里那个哈哈", ["9527"]),
    # the first seven digits, some chatter, then the last four
    ("139 1703 等下我看一下后面的 6624", ["139 1703", "6624"]),
    ("号码前7位1592107，后四位等下发你……后四位3361", ["1592107", "3361"]),
    # a voice message typed out with pauses (嗯) between the groups
    ("我电话一八六，嗯2130，然后是5578", ["一八六", "2130", "5578"]),
])
def test_mobile_pieces_are_redacted(text: str, leaked: list[str]) -> None:
    covered = {i for s in redact(text).spans for i in range(s.start, s.end)}
    for piece in leaked:
        start = text.index(piece)
        assert set(range(start, start + len(piece))) <= covered, (text, piece)


@pytest.mark.parametrize("text", [
    "尾号5678的手机收到短信了吗",  # an example tail, not anybody's
    "身份证后四位1234",
    "尾号不对，再核对下",
])
def test_example_tails_are_kept(text: str) -> None:
    assert redact(text).spans == ()


@pytest.mark.parametrize("text, leaked", [
    # slang for WeChat before an account-like id
    ("卫星haohao_0731（你懂的）", "haohao_0731"),
    ("可以加绿色软件 Mia_1203", "Mia_1203"),
    # the id further from the cue: after the WeChat name or a phone number
    ("微信名叫小熊软糖，号是xiongruantang_1", "xiongruantang_1"),
    ("wx同手机号18217736650，或者fengfeng_88", "fengfeng_88"),
    # the id before the cue
    ("我1米7，穿42码，runner_hao是我V", "runner_hao"),
])
def test_wechat_ids_away_from_their_cue_are_redacted(text: str, leaked: str) -> None:
    start = text.index(leaked)
    assert ("wechat_id", start, start + len(leaked)) in [
        (s.kind, s.start, s.end) for s in redact(text).spans]


@pytest.mark.parametrize("text", [
    "卫星定位不准，导航老是偏",
    "微信名叫小熊软糖，或者你搜我手机号也行",
    "这款是我V领那件的同款",
])
def test_wechat_slang_without_an_account_id_is_kept(text: str) -> None:
    assert [s.kind for s in redact(text).spans if s.kind == "wechat_id"] == []


@pytest.mark.parametrize("text, name", [
    # a rare compound surname is a name wherever it stands
    ("慕容雪在吗？那个香水小样还有没", "慕容雪"),
    ("收件人呼延飞，太原市迎泽区迎泽大街288号1单元502", "呼延飞"),
    # "this is ..." on the phone, a pick-up person, 收件 without 人
    ("这边是诸葛明，之前订了一张餐桌", "诸葛明"),
    ("提货人：马丽", "马丽"),
    ("寄红星路三段1号3706，收件任静 18280016623", "任静"),
    # a surname before 老板, a mother before her name
    ("王老板，王老吉要两箱，送到店里", "王"),
    ("谭姐你好，我妈宁翠花想办张卡", "宁翠花"),
    # an English name opening the message, after 嗨, 给 or a signature dash
    ("Emma 你们SK-II那个230ml神仙水还有没有", "Emma"),
    ("嗨Jason 我是Vivian 上次在你们店试了那件风衣", "Jason"),
    ("给Kelly留一套吧，她说下午过来", "Kelly"),
    ("——Lisa 您的专属美容顾问💄", "Lisa"),
])
def test_names_in_these_ways_are_redacted(text: str, name: str) -> None:
    start = text.index(name)
    assert ("person_name", start, start + len(name)) in [
        (s.kind, s.start, s.end) for s in redact(text).spans], _spans(text)


@pytest.mark.parametrize("text", [
    "Michael Kors和Coach哪个性价比高？",  # brands that open with a first name
    "Lily的新款西装到了，通勤很好穿",
    "Tom Ford黑管16号色今天断货了",
    "东方明珠那边有店吗",  # 东方 is a direction before it is a surname
])
def test_brands_and_places_like_names_are_kept(text: str) -> None:
    assert [s for s in redact(text).spans if s.kind == "person_name"] == []


def _spans(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start:s.end]) for s in redact(text).spans]


@pytest.mark.parametrize("text, name", [
    ("你好我是晨晨妈妈，上次定的羽绒服", "晨晨"),  # a parent by the child's nickname
    ("是乐乐爸爸", "乐乐"),
])
def test_a_childs_nickname_before_mum_or_dad_is_redacted(text: str, name: str) -> None:
    start = text.index(name)
    assert ("person_name", start, start + len(name)) in [
        (s.kind, s.start, s.end) for s in redact(text).spans]


def test_a_babys_mum_is_not_a_name() -> None:
    assert redact("我是宝宝妈妈，想问下奶粉").spans == ()


def test_an_order_number_after_订单号码_is_redacted() -> None:
    text = "订单号码TB3982017746519280"
    assert [(s.kind, text[s.start:s.end]) for s in redact(text).spans] == [
        ("order_no", "TB3982017746519280")]
