"""Classes of writing the redactor must catch: split and dashed numbers, a lone Q before a QQ
number, receipt and after-sales order ids, obfuscated e-mails, WeChat ids after loose cues and
names after kinship and role words."""

import pytest

from salesbrain.ingest.redact import redact


def _redacted(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start:s.end]) for s in redact(text).spans]


@pytest.mark.parametrize("text, leaked", [
    # an ID card written with dashes after "ID", which otherwise reads as a product code
    ("ID：320102-19870415-2316 麻烦登记", "320102-19870415-2316"),
    # a number sent in two halves
    ("卡号前面是622848001234，后面是5678901", "5678901"),
    ("身份证前半截3101041988，后半截05123456", "05123456"),
    ("运单号前面ZT8812，后面是553019726", "ZT8812"),
    # a mobile read out with 幺 before ASCII digits
    ("手机幺五八零3312 9046，白天打", "幺五八零3312 9046"),
    # carrier prefix joined by a dash
    ("JD-7730-1259-8804 这个单号查不到", "JD-7730-1259-8804"),
    # after-sales, receipt and English order ids
    ("售后单号TH2025031100982帮我看下", "TH2025031100982"),
    ("小票订单号No.5520241201003311", "No.5520241201003311"),
    ("my order number: PD7719203345", "PD7719203345"),
    ("订单250301-778812340056 还没发", "250301-778812340056"),
    # a lone Q before a QQ number
    ("有事加Q 583920174", "583920174"),
    ("q:六七三八二九一五四", "六七三八二九一五四"),
])
def test_number_classes_are_redacted(text: str, leaked: str) -> None:
    spans = redact(text).spans
    start = text.index(leaked)
    covered = {i for s in spans for i in range(s.start, s.end)}
    assert set(range(start, start + len(leaked))) <= covered, (text, _redacted(text))


@pytest.mark.parametrize("text", [
    "商品ID：100012043978 还有货吗",  # a product id after ID stays
    "Q3季度新品 28800 件已经到仓",    # a quarter, then a quantity
    "前面是3个，后面还有2个",          # counting, not a number in halves
    "iQOO 12345 这个型号",            # Q inside a word
])
def test_number_look_alikes_are_kept(text: str) -> None:
    assert redact(text).spans == (), _redacted(text)


@pytest.mark.parametrize("text, leaked", [
    # e-mail addresses spelled out so that filters miss them
    ("邮箱 zhaolei_88艾特126.com", "zhaolei_88艾特126.com"),
    ("send it to mike.sun at gmail dot com please", "mike.sun at gmail dot com"),
    ("发 yanyan2019(at)foxmail点com", "yanyan2019(at)foxmail点com"),
    ("邮箱 qiao.w[at]outlook.com", "qiao.w[at]outlook.com"),
    ("邮箱 wenwen99 @ 163.com 收一下", "wenwen99 @ 163.com"),
    # WeChat ids after cues the strict pattern missed
    ("WeChat: Tom_Lu2020", "Tom_Lu2020"),
    ("加我微信吧 momo_1999，方便发图", "momo_1999"),
    ("绿泡泡聊哈，xiaoyu_ok", "xiaoyu_ok"),
    ("v-lanlan8866 晚上回你", "lanlan8866"),
    ("微信是b18612345678 前面一个b", "b18612345678"),
    ("这个号满了，加我小号Coco_Zhou_3", "Coco_Zhou_3"),
    ("周末到店前加我nanjing_xx说一声", "nanjing_xx"),
])
def test_contact_classes_are_redacted(text: str, leaked: str) -> None:
    spans = redact(text).spans
    start = text.index(leaked)
    covered = {i for s in spans for i in range(s.start, s.end)}
    assert set(range(start, start + len(leaked))) <= covered, (text, _redacted(text))


@pytest.mark.parametrize("text", [
    "look at this dot com, so cheap",   # an English "at" without a mail provider
    "we meet at home dot com",
    "微信吧，OK的",                      # no id after the cue
    "加我吧 谢谢",
])
def test_contact_look_alikes_are_kept(text: str) -> None:
    assert redact(text).spans == (), _redacted(text)


@pytest.mark.parametrize("text, name", [
    # after a kinship or helper word
    ("我外婆龙秀英耳朵不太好，打电话要大声", "龙秀英"),
    ("我妹邹可欣周六来取", "邹可欣"),
    ("给我女儿朵朵挑个书包", "朵朵"),
    ("仓管曹敏说货到了", "曹敏"),
    # a surname with 师傅, and one that was missing from the list
    ("楼下找快递柜旁边的蒋师傅", "蒋"),
    ("她姓赖，叫她赖姐就行", "赖"),
    # a changed addressee, a field separated by full-width bars
    ("收件人改为邓海燕", "邓海燕"),
    ("电话｜13722334455｜联系人｜卢志强｜", "卢志强"),
    # a name before an ID card cue
    ("发票抬头个人，彭晓东，身份证号110105199003071234", "彭晓东"),
    # a guide's name in a store tag
    ("【南京西路店·蔡思远】您的包已到店", "蔡思远"),
    # English names: greeting, sign-off, role words, Cantonese surnames, a field bar
    ("Dear KELLY, your parcel has arrived", "KELLY"),
    ("Regards, Winnie Wong", "Winnie Wong"),
    ("前台Lucy会帮你登记", "Lucy"),
    ("导购Tony说明天补货", "Tony"),
    ("Ivy那边我已经通知了", "Ivy"),
    ("—— 国金店 Stella｜形象顾问", "Stella"),
])
def test_name_classes_are_redacted(text: str, name: str) -> None:
    from salesbrain.ingest.redact import redact_message

    spans = redact_message(text).spans
    start = text.index(name)
    covered = {i for s in spans for i in range(s.start, s.end)}
    assert set(range(start, start + len(name))) <= covered, (text, spans)


@pytest.mark.parametrize("text", [
    "我女儿天天吵着要这个书包",        # a doubled adverb, not a nickname
    "我老公高兴坏了，下次还来",        # an everyday word after a kinship word
    "谢谢师傅，辛苦了",                # thanks, not 谢 the surname
    "条形码 6923456789013 扫不出来",  # a barcode
    "杨国福旁边那家店就是",            # a brand a tagger reads as a name
    "小熊电器的电饭煲有货吗",
])
def test_name_look_alikes_are_kept(text: str) -> None:
    from salesbrain.ingest.redact import redact_message

    assert redact_message(text).spans == (), redact_message(text).spans


@pytest.mark.parametrize("text, name", [
    ("雨桐你好，你订的裙子到了", "雨桐"),
    ("浩哥，鞋子给你留好了", "浩"),
    ("到了你找小蒋签收一下", "小蒋"),
])
def test_greeted_and_nicknamed_names_are_redacted(text: str, name: str) -> None:
    spans = redact(text).spans
    start = text.index(name)
    assert any(s.start <= start and start + len(name) <= s.end for s in spans), (text, spans)


@pytest.mark.parametrize("text", [
    "美女你好，有什么可以帮您",
    "小伙你好，这款还有货",
    "嗯嗯你好",
    "大哥，在吗",
    "老板你好",
    "用小程序下单就行",
])
def test_greeting_words_are_kept(text: str) -> None:
    assert redact(text).spans == (), _redacted(text)


def test_mobile_grouped_with_single_stars_is_redacted_but_a_mask_is_kept() -> None:
    assert redact("打这个186*2207*5391").text == "打这个[手机号]"
    assert redact("手机159****3321已绑定").spans == ()
    assert redact("床垫尺寸180*200*25").spans == ()


def test_wechat_id_typed_with_spaces_is_redacted() -> None:
    assert redact("vx号 m e i m e i 8 8 别打错").text == "vx号 [微信号] 别打错"
    assert redact("微信 a b c").spans == ()


def test_titled_surname_before_a_phone_cue_keeps_the_title() -> None:
    text = "龙女士，手机13698765432"
    assert [(s.kind, text[s.start:s.end]) for s in redact(text).spans][0] == ("person_name", "龙")


@pytest.mark.parametrize("text, leaked", [
    ("Vlele_0729 周末找我", "lele_0729"),
    ("加Vhz-xixi88 看新款", "hz-xixi88"),
    ("➕Vmiki_2020 我是店员", "miki_2020"),
    ("微❤️：tata_1314", "tata_1314"),
    ("phone: (+86)139-2211-0468 到付", "(+86)139-2211-0468"),
])
def test_glued_v_cues_and_bracketed_country_codes_are_redacted(text: str, leaked: str) -> None:
    spans = redact(text).spans
    start = text.index(leaked)
    covered = {i for s in spans for i in range(s.start, s.end)}
    assert set(range(start, start + len(leaked))) <= covered, (text, _redacted(text))


@pytest.mark.parametrize("text", ["VIP-2024会员专享", "V领-3件包邮", "Vivian姐在吗"])
def test_v_words_are_not_wechat_ids(text: str) -> None:
    assert all(s.kind != "wechat_id" for s in redact(text).spans), _redacted(text)
