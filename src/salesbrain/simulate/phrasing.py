"""How customers write: phrasing banks per taxonomy intent, plus the noise real chats carry.

A template may hold slots (`{product}`, `{size}`, `{phone}` ...) filled per conversation by
`slots.Slots`, and `|` splits it into a multi-message turn (the customer hits send between the
parts). Every part of a turn carries the turn's intent.
"""

from __future__ import annotations

import random

# Order questions before paying, and what customers send once they have paid.
ORDER_QUESTIONS = (
    "怎么下单", "在哪里付款", "可以开发票吗", "可以货到付款吗", "能用{pay}吗", "能分期吗",
    "付款一直失败怎么回事", "订单能合并吗", "怎么用券下单", "小程序里怎么付款",
    "能帮我下单吗，我不太会弄", "想取消订单", "公司报销需要专票", "定金付了，尾款在哪付",
    "可以找人代付吗", "我要两件，一起付款怎么操作", "下单的时候没用上券怎么办",
)
ORDER_FOLLOW_UPS = (
    "我付好了，帮我备注尽快发货", "已付款，麻烦确认一下", "帮我改一下收货地址|{address}",
    "收货地址填错了，改成{address}，电话{phone}", "电话号码写错了，是{phone}",
    "开个电子发票，邮箱{email}", "收件人写{cname}，电话{phone}", "发票抬头写{company}",
    "下单了，订单尾号{order_tail}", "刚拍的能改尺码吗，改成{size}", "地址改成{address}吧",
    "订单显示待付款，我已经付了", "付好了|地址是{address}",
)

# Size questions depend on what is being bought: clothes, shoes or children's wear.
_SIZE_COMMON = (
    "这款偏大还是偏小", "尺码标准吗", "你们这尺码表准吗", "上次买的{size}有点大，这次要拿小一码吗",
    "{size}和{size2}纠结，怎么选", "宽松款的话拿{size}够吗",
)
SIZE_FIT: dict[str, tuple[str, ...]] = {
    "letter": _SIZE_COMMON + (
        "我{height}，{weight}斤，穿什么码", "{height}/{weight}斤选哪个码",
        "身高{height}体重{weight}斤，{size}会不会小", "平时穿{size}，这款要拿大一码吗",
        "我肩比较宽，穿{size}会不会紧", "腰围二尺二穿多大的", "我{weight}斤，{size}码能穿吗",
        "胸围{bust}，拿哪个码合适", "{size}码的衣长多少", "袖子会不会短，我手臂比较长",
        "微胖能穿吗，显胖不", "{size}和{size2}纠结|{height}的个子", "孕妇能穿吗",
        "我妈五十多岁，穿这个合适吗", "裤长多少，我{height}会不会拖地",
        "我是梨形身材|穿这条会显胖吗",
        "帮我看看穿哪个码|{height} {weight}斤", "{height} {weight}斤 穿{size}还是{size2}",
        "能不能帮我量一下{size}码的肩宽", "我老公{height2}，{weight2}斤，男款穿什么码",
        "里面穿毛衣的话要不要大一码",
    ),
    "shoe": _SIZE_COMMON + (
        "脚{foot}码，这款鞋正常拿还是拿大半码", "脚背高，{foot}码的会不会挤脚",
        "我脚宽，{foot}码会不会挤",
        "平时穿{foot}的运动鞋，这双拿多大", "脚长24厘米穿多大码", "这鞋磨脚吗|我脚后跟容易磨破",
        "{foot}码和{foot_up}码纠结", "穿厚袜子要不要大一码", "我老公平时穿42，这款男款拿多大",
    ),
    "kids": _SIZE_COMMON + (
        "给{age}岁的孩子买，选多大", "这个{age}岁小朋友能穿吗",
        "宝宝身高{kid_height}，穿{size}合适吗",
        "孩子比较胖，要不要拿大一码", "能穿两年吗，想买大一点",
        "{age}岁男孩，体重{kid_weight}斤，拿多大",
    ),
}
# What a customer writes to book a visit once she has decided to come.
VISIT_BOOKINGS = (
    "那我{day}过去找你", "我{day}{clock}过去，帮我留一下", "{day}能去店里试吗", "可以预约试穿吗",
    "那我{day}去店里试试", "店里有{size}码可以试吗|我{day}过去", "帮我留着，我{day}{clock}到",
    "你{day}上班吗，我想过去看看", "那我还是去店里试一下吧", "{day}{clock}方便吗，我过去试穿",
)

CUSTOMER_PHRASES: dict[str, tuple[str, ...]] = {
    "greeting": (
        "在吗", "在吗？", "你好", "您好", "你好，在吗", "有人吗", "有人在吗？", "hello", "哈喽",
        "在不在", "亲，在吗", "{gname}在吗", "美女在吗", "小姐姐在吗", "你好呀", "嗨", "打扰一下",
        "不好意思打扰下", "早上好", "下午好", "晚上好，在吗", "在？", "您好，请问在吗",
        "哈喽哈喽", "hi", "{gname}你好", "亲在吗？想问点事", "店长在吗", "导购小姐姐在吗",
        "还记得我吗，上次在{store}买过衣服", "{gname}，忙不忙", "你好，我是上周加你的",
    ),
    "product_inquiry": (
        "这款{product}是什么面料的", "{product}是纯棉的吗", "这件{product}起球吗",
        "{product}会不会掉色啊", "这个{product}洗了会缩水吗", "{product}保暖吗？东北能穿不",
        "这款和去年那款有什么区别", "{product}是今年的新款吗", "有没有适合通勤穿的，推荐一下",
        "想给我妈买件{product}，有推荐吗", "{product}透气吗，我比较怕热",
        "这件薄不薄，现在穿会不会冷", "{product}可以机洗吗", "这个{colour}的显黑吗",
        "{product}的版型是宽松的还是修身的", "羽绒服里面是鸭绒还是鹅绒", "含绒量多少啊",
        "这个鞋底软不软，走路多会不会累", "{product}防水吗", "这个是羊毛还是羊绒的呀",
        "{product}配什么裤子好看", "你们家有没有长款的{product}", "这款是正品吗",
        "{product}有实物图吗|想看看上身效果",
        "我在小红书上看到一件{colour}的{product}|你们店里有同款吗",
        "这件{product}跟{product2}哪个更好", "这个料子扎不扎人", "{product}有内衬吗",
        "这件厚吗|会不会很重", "推荐一款{price}左右的{product}", "有没有适合送男朋友的",
        "我想买件{product}，平时上班穿，哪款好", "这个面料怕不怕静电",
        "{colour}和{colour2}哪个好看",
        "你发的那件{product}|是什么料子", "这款{product}容易皱吗，出差想带",
    ),
    "size_fit": tuple(sorted(set().union(*SIZE_FIT.values()))),
    "price_promotion": (
        "这个能便宜点吗", "有没有优惠呀", "现在有什么活动吗", "{campaign}有什么优惠",
        "满减怎么算", "{rule}是全场都能用吗", "优惠券在哪领", "我有张{coupon}的券能用吗",
        "会员有折扣吗", "能不能再少点", "{price}有点贵了", "双11会不会更便宜",
        "买了之后降价能补差价吗", "两件有优惠吗", "这个是最低价了吗", "老客户有没有额外优惠",
        "有没有赠品", "打几折啊", "能给个内部价吗", "这件原价多少，现在多少",
        "我朋友说你们有{rule}的活动", "直播间是不是更便宜", "网上比店里便宜{diff}块，能一样吗",
        "能不能保价", "便宜点我就拿了", "学生有优惠吗", "{price}能不能再抹个零",
        "现在买划算还是等活动", "你们这个{campaign}到几号结束", "券和满减能一起用吗",
    ),
    "stock_availability": (
        "{colour}{size}还有货吗", "这款{product}还有{colour}的吗", "{size}码有吗", "什么时候补货",
        "{colour}的断码了吗", "{store}有现货吗", "{city}哪个店有这款", "这件还有吗",
        "我要的{size}码没了，还会再到吗", "{product}有{size}的吗|{colour}", "能从别的店调货吗",
        "线上显示缺货，店里有吗", "预售的什么时候能到", "有没有{colour2}的", "还剩几件啊",
        "新款到了吗", "{product}到货了通知我一下好吗", "我想要的那款{colour}还有没有",
        "{foot}码的鞋还有吗", "这个颜色是不是卖完了", "有没有别的颜色", "{size}码今天能拿到吗",
        "这款是不是限量的", "下周还会有货吗", "帮我查下{store}还有没有{size}",
        "网上没货了，门店还有库存吗", "{colour}的{product}|还有{size}吗", "这个还能买到吗",
    ),
    "order_payment": ORDER_QUESTIONS + ORDER_FOLLOW_UPS,
    "logistics": (
        "什么时候发货", "发货了吗", "快递到哪了", "几天能到", "发什么快递", "能发顺丰吗",
        "单号多少", "物流一直没更新", "订单尾号{order_tail}，查下物流", "今天能发吗",
        "明天能到{city}吗", "还没收到货", "显示签收了但我没收到", "快递放驿站了吗",
        "能送货上门吗", "我这周不在家，能晚点发吗", "偏远地区包邮吗", "发货了告诉我一下",
        "怎么还没发货呀", "物流显示在{city}中转", "几号能到啊，着急穿",
        "{courier}到哪了|帮我催一下",
        "我的包裹怎么显示退回了", "包装能不能换成不带logo的，送人", "预售的几号发货",
        "能不能加急", "地址是{address}，帮我看看到哪了", "已经三天了还没到", "发货能备注送到前台吗",
    ),
    "return_exchange": (
        "不合适能退吗", "怎么退货", "退款什么时候到账", "想换个{size}码", "七天无理由吗",
        "吊牌剪了还能退吗", "退货运费谁出", "换货要寄回去吗", "能到店里换吗",
        "{colour}的想换成{colour2}", "衣服有个线头，能换吗", "退货地址发我一下",
        "我已经寄回去了，单号{tracking}", "退款申请了怎么没人处理", "拉链坏了，能保修吗",
        "鞋子开胶了怎么办", "洗了一次就起球，能退吗", "买大了，换小一码",
        "收到的尺码不对|能换吗", "退款到哪里了", "过了七天还能退吗", "店里买的能线上退吗",
        "换货的新衣服什么时候寄出", "退货需要什么", "质量问题能退运费吗", "可以只退一件吗",
        "我要退款", "这条裤子能改裤长吗", "保修期多久", "羽绒服跑绒，能售后吗",
    ),
    "complaint": (
        "质量太差了", "才穿一次就坏了，什么破质量", "再不处理我就投诉了",
        "你们客服怎么回事，一直没人理", "等了一个星期还没发货，太过分了",
        "东西跟图片差太多了，骗人吧", "退款拖了半个月，到底退不退", "我要投诉你们店员",
        "你们就是这样对待老顾客的？", "说好的赠品呢？没收到", "买完第二天就降价{diff}，太坑了",
        "衣服有味道，穿了过敏", "态度太差了", "我要找你们店长", "再这样我去12315投诉",
        "发错货了还要我自己跑一趟？", "太失望了，以后不会再买了", "这都第三次问了，还没解决",
        "承诺的补差价呢，怎么没动静", "鞋子穿两天就开胶，你们品控呢",
        "快递把我的衣服弄脏了，你们也不管", "说好今天发的又没发", "我很生气",
        "{product}掉色掉得手都是蓝的", "我要差评", "你们门店的人太敷衍了",
        "质量这么差还卖{price}", "能不能给个说法", "退了三次都没成功，到底怎么搞的",
        "要不是看在会员的份上早就投诉了",
    ),
    "store_visit": (
        "你们店在哪里", "{store}怎么走", "店里几点关门", "几点开门", "周末营业吗",
        "{day}能去店里试吗", "我{day}{clock}过去，帮我留一下", "可以预约试穿吗", "店里停车方便吗",
        "{store}在几楼", "节假日店里开门吗", "网上买的能去店里自提吗", "离{landmark}最近的店是哪家",
        "我想去店里看看实物", "到店有什么活动吗", "你今天上班吗，我想过去", "晚上九点还能过去吗",
        "那我{day}过去找你", "店里有{size}码可以试吗|我{day}过去", "可以到店取货吗",
        "{city}有你们的店吗", "店的地址发我一下", "有没有地铁能到的", "我到了，你在店里吗",
        "{day}下午你在不在店里", "能不能约个时间到店量尺寸", "店里能改裤脚吗",
        "我在{mall}附近，现在过去方便吗", "你们店是在{mall}吗", "带孩子去方便吗，有休息区吗",
    ),
    "membership": (
        "积分怎么兑换", "我现在是什么会员等级", "生日礼怎么领", "会员有什么权益", "怎么注册会员",
        "积分有多少了帮我查下", "积分快过期了吗", "升级金卡要消费多少", "会员日是哪天",
        "新人券在哪", "生日当月有折扣吗", "我的会员卡绑不上手机号",
        "换手机号了，会员怎么改绑|新号{phone}", "积分能抵现吗", "会员码在哪看",
        "积分兑换的礼品有哪些", "注册会员送什么", "我的优惠券怎么不见了", "会员价和活动价能叠加吗",
        "老会员有专属券吗", "生日礼能到店领吗", "怎么查消费记录", "会员能共享给家人用吗",
        "黑卡有什么好处", "我的积分怎么少了", "积分可以换{gift}吗", "会员专享价怎么看",
        "入会有礼是什么", "我生日是{bday}，礼品什么时候发", "成长值怎么算",
    ),
    "purchase_intent": (
        "就要这件了", "给我留两件", "帮我留一件{colour}{size}", "就这个{colour}吧", "我要了",
        "那就拿{size}码", "两件都要", "好，我买了", "发个链接给我，我拍", "直接帮我下单吧",
        "那就{colour}的{size}码，给我发货", "行，就按你说的码拿", "再加一条{product2}",
        "给我妈也来一件", "先帮我锁一件，晚上付款", "决定了，要这款", "这个价格可以，我要了",
        "帮我开单", "我{day}去店里拿，先留着", "把链接发我，我现在拍", "要一件{size}的",
        "给我来两双{foot}码的", "这件我要了|还有那条裤子也要", "没问题，买", "可以，那就它了",
        "买买买", "{size}码的来一件", "帮我下单{colour}{size}", "就它了，怎么拍",
    ),
    "thanks_closing": (
        "好的谢谢", "谢谢", "知道了", "好的", "ok", "好滴", "嗯嗯", "收到", "明白了，谢谢",
        "谢谢你呀", "辛苦啦", "麻烦你了", "好的好的", "谢啦", "好嘞", "感谢", "懂了",
        "好的，有需要再找你", "OK了", "嗯", "多谢", "太好了谢谢", "好的，我等你消息",
        "谢谢{gname}", "没事了，谢谢", "拜拜", "行，先这样",
    ),
    "other": (
        "哈哈哈", "[微笑]", "😂😂", "哈哈", "嗯嗯嗯[呲牙]", "你好可爱", "今天好冷啊", "刚下班",
        "发错了", "不好意思发错人了", "在忙", "稍等我一下", "👍", "[捂脸]", "刚刚在开车",
        "等我问问我老公", "我女儿说好看", "今天天气真好", "[玫瑰]", "哈哈你也是", "晚点再说",
        "🙏", "……", "我看看", "吃饭了没", "[偷笑]", "刚看到消息", "今天下雨了",
        "我在外面，回头说", "你们店员小姐姐好漂亮", "我家猫把衣服抓坏了哈哈", "周末去哪玩呀",
        "你们那边冷不冷", "最近好忙", "刚睡醒", "[捂脸][捂脸]", "嘿嘿", "在地铁上",
        "孩子在闹，等下", "哈哈哈哈哈", "刚开完会", "我朋友推荐的你", "你也早点休息",
        "好久没逛街了", "我妈说这个颜色显老哈哈",
    ),
}

# The customer's polite exit when an offer did not land: no new request, so thanks_closing.
HESITATIONS = ("我再看看", "我考虑一下", "那我再想想", "先不用了，谢谢", "等活动再说吧",
               "我跟家里人商量下", "好的，我再对比一下")
# A price objection that ends a sale: the customer is still talking price.
OBJECTIONS = ("还是有点贵", "太贵了，算了", "别家更便宜", "这个价我接受不了", "超预算了")
NUDGES = (("greeting", "在吗？？"), ("greeting", "还在吗"), ("other", "？"), ("other", "？？"),
          ("greeting", "人呢"), ("complaint", "怎么不回消息啊"), ("greeting", "{gname}？"))
# How customers answer an outreach they are glad to get.
OUTREACH_ACKS = ("谢谢{gname}", "好的收到", "谢谢，有空去看看", "哇谢谢", "收到啦😊", "好的呀")

EMOJI_HAPPY = ("[微笑]", "[呲牙]", "[害羞]", "[偷笑]", "[愉快]", "[抱拳]", "[玫瑰]", "[强]", "[OK]",
               "😊", "😂", "👍", "🙏", "❤️", "🤔", "😁", "🥰")
EMOJI_ANGRY = ("[发怒]", "[流泪]", "[撇嘴]", "😡", "😤", "😭", "👎")
LEAD_INS = ("请问", "请问一下，", "那个，", "想问下，", "问一下，", "亲，", "对了，", "另外，",
            "你好，", "打扰下，", "哎，", "再问下，")
PLAIN_INTENTS = frozenset({"greeting", "thanks_closing", "other"})
TYPOS = (("吗", "嘛"), ("什么", "啥"), ("什么", "神马"), ("的", "滴"), ("没有", "木有"),
         ("怎么", "咋"), ("尺码", "尺马"), ("优惠", "优会"), ("快递", "快滴"), ("知道", "造"),
         ("这个", "这个个"), ("可以", "阔以"), ("现在", "先在"), ("一下", "一哈"), ("谢谢", "3q"))


def customer_turn(rng: random.Random, intent: str, slots: dict[str, str],
                  bank: tuple[str, ...] | None = None) -> list[str]:
    """One customer turn for an intent: 1 to 3 messages, decorated like real typing.

    `bank` narrows the templates (e.g. only price objections) while keeping the intent label.
    """
    template = rng.choice(bank or CUSTOMER_PHRASES[intent])
    return [decorate(rng, part.format_map(slots), intent) for part in template.split("|")]


def decorate(rng: random.Random, text: str, intent: str) -> str:
    """Lead-ins, typos, emoji and sloppy punctuation, at rates that keep most messages clean."""
    if intent not in PLAIN_INTENTS and rng.random() < 0.18:
        text = rng.choice(LEAD_INS) + text
    roll = rng.random()
    if roll < 0.07:
        wrong, typed = rng.choice(TYPOS)
        text = text.replace(wrong, typed, 1)
    elif roll < 0.12 and text[-1:] in "？?。，":
        text = text[:-1]
    elif roll < 0.16 and text[-1:] in "？?":
        text = text[:-1] + rng.choice(("??", "？？", "?", "呢？"))
    if rng.random() < 0.12:
        bank = EMOJI_ANGRY if intent == "complaint" else EMOJI_HAPPY
        text += rng.choice(bank)
    elif rng.random() < 0.04:
        text += "～"
    return text
