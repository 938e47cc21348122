"""How guides write: reply banks per customer intent, outreach openers per task kind, and the
compliance violations a careless guide slips into a chat.

Each bank has a champion tier (warm, specific: size advice with numbers, the coupon, an
invitation to the store) and a plain tier (curt, generic). A guide's persuasion and talent decide
which tier each reply comes from.
"""

from __future__ import annotations

import random

GOOD = "good"
PLAIN = "plain"

REPLIES: dict[str, dict[str, tuple[str, ...]]] = {
    "greeting": {
        GOOD: ("在的{cust}，我是{store}的{gname}，有什么可以帮您的？😊",
               "{cust}好呀～我在的，今天想看看什么呢？", "在呢在呢，{cust}有需要随时说哈[微笑]",
               "您好{cust}，{gname}在的，想了解哪款呀？", "在的在的，{cust}好久不见～"),
        PLAIN: ("在", "在的", "你好", "嗯，什么事", "您好", "说"),
    },
    "product_inquiry": {
        GOOD: ("{cust}，这款{product}是{material}的，{feature}，日常通勤很合适😊",
               "这款是今年秋冬新款，{material}，{feature}，我自己也在穿哈",
               "{cust}可以看下这款，{feature}，{colour}特别显白，很多老顾客回购",
               "这款版型是{fit}的，搭{match}很好看，我给您发几张实拍图",
               "{product}是{material}，建议反面冷水手洗，保养得好能穿好几年",
               "说实话这款性价比很高，{feature}，{cust}{height}的个子穿起来会很有气场"),
        PLAIN: ("是的", "有的", "看详情页哦", "可以的", "这个我不太清楚", "挺好的", "都差不多",
                "详情页都有写"),
    },
    "size_fit": {
        GOOD: ("{cust}{height}/{weight}斤的话建议拿{rec_size}，"
               "这款是{fit}版型，肩宽刚好；喜欢宽松可以拿{rec_size_up}",
               "按您的身高体重拿{rec_size}就可以，我同事{height}的也是穿{rec_size}，很合身",
               "建议{rec_size}哦，不放心的话{day}来{store}试穿，我把两个码都给您留着",
               "{rec_size}正好，里面穿毛衣也不会紧，衣长到大腿中间，显高😊"),
        PLAIN: ("{rec_size}吧", "{rec_size}", "正常拿就行", "看尺码表哦", "都可以", "M吧"),
    },
    "price_promotion": {
        GOOD: ("{cust}，现在{campaign}{rule}，再叠加会员价，算下来到手{deal_price}，很划算了",
               "我这边有张{coupon}的会员券，给您发一下，下单直接能用😊",
               "这款目前是活动价，买了之后15天内降价可以补差价，您放心",
               "两件的话可以用{rule}，我帮您算了一下，到手{deal_price}",
               "这周末来店里还有到店礼，{campaign}期间折上还能用{coupon}券"),
        PLAIN: ("没有优惠", "就这个价", "已经最低了", "自己领券", "看活动页", "活动价就这样"),
    },
    "stock_availability": {
        GOOD: ("{colour}{size}{store}还有2件，我先帮您留一件，留到{day}晚上哦",
               "线上{size}断码了，{store}有现货，我帮您从仓库调货，2天到",
               "这款{colour}下周三补货，到了我第一时间通知您😊",
               "有的{cust}，{colour}和{colour2}都有{size}，我拍个实物给您看",
               "我刚去仓库看了，{size}就剩最后一件{colour}的，给您锁住了"),
        PLAIN: ("有", "没了", "不知道", "没货", "等补货吧", "线上看库存"),
    },
    "order_payment": {
        GOOD: ("{cust}点我发的链接直接下单就行，发票可以在订单页申请电子发票，抬头税号填好就能开",
               "地址帮您改好了，已经备注仓库尽快发出，有问题随时找我",
               "可以用{pay}，也可以分三期免息，我把下单小程序发您👇",
               "收到您的订单啦，我这边盯着发货，有单号第一时间发您",
               "券在结算页会自动抵扣，您付款前看下金额是{deal_price}就对了"),
        PLAIN: ("小程序里下单就行", "可以", "好了", "找客服", "自己看下订单页", "在小程序里弄"),
    },
    "logistics": {
        GOOD: ("{cust}，帮您查了，{courier}单号{tracking}，现在到{city}转运中心了，预计明天送到😊",
               "下午4点前的订单当天发，您的已经打包好了，发的是{courier}",
               "我帮您催一下仓库加急，今天一定发出，有单号第一时间发您",
               "抱歉让您久等了，快递在{city}滞留了一天，我已经联系{courier}加急派送"),
        PLAIN: ("已发货", "等等吧", "在路上", "自己查物流", "不知道哦", "快递的事我管不了"),
    },
    "return_exchange": {
        GOOD: ("{cust}可以退的，7天无理由，吊牌别剪就行，我把退货地址和流程发您，运费险会自动理赔",
               "想换{size}的话直接带着衣服来{store}就能换，不用寄，我给您留好新码",
               "不好意思给您添麻烦了，质量问题运费我们承担，我这边直接帮您登记换新",
               "退款原路返回，一般1-3个工作日到账，我帮您盯着😊"),
        PLAIN: ("可以退", "在订单里申请", "找客服", "退不了", "过了七天不能退", "自己申请售后"),
    },
    "complaint": {
        GOOD: ("非常抱歉给您带来不好的体验😔，我马上跟进，今天之内给您答复，先给您换新可以吗",
               "真的很抱歉{cust}，这个我来负责处理，补偿您一张{coupon}的券，换货运费我们出",
               "理解您的心情，我已经报给店长了，明天上午给您回电话，处理不好您随时找我",
               "是我们的问题，对不起{cust}，我现在就给您安排退款，马上到账"),
        PLAIN: ("不是我们的问题", "这个没办法", "我们也没办法", "你找客服吧", "哦", "规定就是这样"),
    },
    "store_visit": {
        GOOD: ("我们店在{mall}{floor}，营业时间10:00-22:00，"
               "{day}我在的，您来之前跟我说，我把{size}码给您留好😊",
               "欢迎来试穿！{store}地铁{metro}号线出来就到，停车可以免费2小时",
               "好的{cust}，{day}{clock}我等您，到了直接找{gname}就行",
               "到店还有小礼品，记得带上会员码哦，我提前帮您把衣服熨好"),
        PLAIN: ("{mall}", "10点开门", "都行", "来吧", "自己导航", "22点关门"),
    },
    "membership": {
        GOOD: ("{cust}您现在是{level}，积分{points}，可以兑换{gift}，我教您在小程序里操作😊",
               "生日当月到店出示会员码可以领生日礼，还有一张{coupon}的生日券已经发到您账户啦",
               "新会员注册就送{coupon}券，我把入会链接发您",
               "金卡再消费800就能升级，升级后全年95折",
               "会员价和{campaign}活动可以叠加的，我帮您看了，这单能省{diff}"),
        PLAIN: ("小程序里看", "有积分", "自己查", "不清楚", "问客服", "在会员中心"),
    },
    "purchase_intent": {
        GOOD: ("好的{cust}！{colour}{size}给您下单了，链接发您，今天下午就能发货😊",
               "给您留好了，到店直接找我拿就行，还送您一份小礼品",
               "收到！我帮您把{rule}用上了，到手{deal_price}，您点链接付款就好",
               "眼光真好，这件您穿肯定好看，已经帮您备注优先发货"),
        PLAIN: ("好", "拍吧", "自己下单", "好的", "链接在商城", "嗯"),
    },
    "thanks_closing": {
        GOOD: ("不客气{cust}，有任何问题随时找我😊", "应该的～穿着不合适随时来找我换",
               "谢谢{cust}支持，祝您生活愉快🌹", "好的，有新款到了我第一时间通知您"),
        PLAIN: ("嗯", "好", "不客气", "ok", "👌"),
    },
    "other": {
        GOOD: ("哈哈是的呀😊", "{cust}真会说话", "不着急，您忙完再说", "好的，您先忙[微笑]"),
        PLAIN: ("嗯", "哈哈", "好"),
    },
}

# Size advice for shoes and children's wear; clothes use REPLIES["size_fit"].
SIZE_REPLIES: dict[str, dict[str, tuple[str, ...]]] = {
    "shoe": {
        GOOD: ("这款鞋偏大半码，平时穿{foot}的建议拿{foot_down}，脚背高就正常拿{foot}",
               "{cust}脚宽的话建议拿大半码，这款是{material}，穿几天会变软贴脚",
               "按您平时的码拿{foot}就行，不合适随时来{store}换，我先帮您留两个码😊",
               "这双鞋楦头比较宽，{foot}正好，后跟有软垫不磨脚"),
        PLAIN: ("正常拿", "{foot}吧", "看尺码表", "都差不多", "正常码"),
    },
    "kids": {
        GOOD: ("{age}岁宝宝建议拿{size}，这款是宽松版，能穿两年没问题😊",
               "小朋友长得快，建议拿大一码{size2}，袖口可以挽起来",
               "宝宝身高{kid_height}的话{size}刚好，面料是{material}，不扎皮肤"),
        PLAIN: ("{size}吧", "看身高选", "正常拿", "看尺码表哦"),
    },
}
GROUP_OPENERS = {
    GOOD: ("家人们，{campaign}开始啦！{rule}，群里下单再送{gift}，有问题直接@我😊",
           "各位亲，{product}今天到了新色{colour}，{rule}，需要的私聊我留货",
           "【{campaign}】{rule}，今晚8点前下单优先发货，链接👇",
           "家人们好，{store}本周末会员日，到店有礼，欢迎来玩～"),
    PLAIN: ("{campaign}：{rule}", "活动通知：{rule}", "新品上架，欢迎选购"),
}

OUTREACH: dict[str, dict[str, tuple[str, ...]]] = {
    "birthday": {
        GOOD: ("{cust}生日快乐🎂！这个月是您的生日月，会员生日礼已经准备好了，"
               "还有一张{coupon}的生日券，来{store}或者小程序都能用哦",
               "{cust}，{gname}提前祝您生日快乐～生日当月到店领{gift}，我给您留着😊"),
        PLAIN: ("生日快乐，生日券已发放", "会员生日礼可以领了"),
    },
    "same_period_last_year": {
        GOOD: ("{cust}您好，我是{store}的{gname}，去年这个时候您在我们家买了{product}，"
               "今年出了新色{colour}，还有{rule}，要不要给您留一件？",
               "{cust}，天气转凉啦，去年您挑的{product}今年升级了面料，我拍了实物给您看看"),
        PLAIN: ("新款到了，可以来看看", "{campaign}开始了，欢迎选购"),
    },
    "dormant_recall": {
        GOOD: ("{cust}好久不见啦，我是{store}的{gname}～店里上了很多秋冬新款，"
               "老会员回店还有{coupon}的专属券，周末有空来逛逛呀😊",
               "{cust}，很久没见您了，给您留了一张{coupon}的回归券，有喜欢的随时找我"),
        PLAIN: ("您好，店里有活动", "老顾客回馈，欢迎到店"),
    },
    "new_member_welcome": {
        GOOD: ("欢迎加入{brand}会员～我是您的专属导购{gname}，"
               "新人礼包已经发到您账户了（{coupon}券+积分），"
               "尺码搭配有问题随时问我😊",
               "{cust}您好，我是{store}的{gname}，谢谢您入会！新人专享{coupon}券7天内有效，"
               "有喜欢的我帮您挑"),
        PLAIN: ("欢迎入会，新人券已发", "您好，我是您的导购"),
    },
    "campaign": {
        GOOD: ("{cust}，{campaign}开始啦！{rule}，您之前看的{product}也参加，"
               "我帮您算了下到手只要{deal_price}，要不要给您留一件？",
               "{cust}，{campaign}会员提前购，{product}{colour}{size}我帮您看了还有货，"
               "需要的话我先锁一件"),
        PLAIN: ("{campaign}活动开始了，{rule}", "活动通知：{rule}"),
    },
    "proactive": {
        GOOD: ("{cust}，{product}到了新色{colour}，实拍给您看看，很适合您😊",
               "{cust}，降温了，记得添衣服～店里{product}补货了，您上次问的{size}有了"),
        PLAIN: ("新款到了", "店里上新了"),
    },
}

VIOLATIONS: dict[str, tuple[str, ...]] = {
    "off_platform": ("加我私人微信吧，vx：{wxid}，私聊给你更低的价",
                     "这边说话不方便，加我V信{wxid}",
                     "我威信号{wxid}，以后直接找我", "你加下我薇信{wxid}，我私下给你留货",
                     "加我个人微信{wxid}，内部价给你", "加我私人微信，号码就是手机号"),
    "off_campaign_discount": ("我私下给你打{off_pct}折，别跟别人说", "活动过了我也按活动价给你算",
                              "下个月的会员价我现在就给你", "再给你额外减{extra}，我自己贴钱"),
    "pressure": ("就剩最后一件了，今天不买明天就没了", "你到底买不买啊", "这么便宜还犹豫什么",
                 "别人都抢疯了，你再不下单就没了", "你懂不懂啊，我说这个码就这个码"),
    "customer_data": ("上次{cname}也买的这个，她电话{phone}，你可以问问她",),
}

LATE_PREFIXES = ("抱歉久等了，", "不好意思刚在接待顾客，", "刚忙完，", "久等啦～")
ORDER_CONFIRMATIONS = ("收到您的订单啦，今天给您安排发货😊", "订单看到了，已经备注优先发货",
                       "付款成功了，我这边盯着，有单号发您")
VISIT_CONFIRMATIONS = ("好的，{day}{clock}等您，我把衣服准备好", "没问题，到了找{gname}就行😊",
                       "给您登记好了，{day}见")
REDPACKET_WISHES = ("恭喜发财，大吉大利", "感谢支持", "小小心意", "生日快乐")


def guide_reply(rng: random.Random, intent: str, tier: str, slots: dict[str, str],
                used: set[str], size_system: str = "letter") -> str:
    """A reply to a customer turn of `intent`, from the champion or the plain tier.

    Guides rarely paste the same sentence twice in one chat: `used` holds this chat's templates.
    """
    if intent == "size_fit" and size_system in SIZE_REPLIES:
        bank = SIZE_REPLIES[size_system][tier]
    else:
        bank = REPLIES[intent][tier]
    template = rng.choice(bank)
    for _ in range(2):
        if template not in used:
            break
        template = rng.choice(bank)
    used.add(template)
    return template.format_map(slots)


def outreach_opener(rng: random.Random, kind: str, tier: str, slots: dict[str, str]) -> str:
    """The guide's first message of an outreach of a task kind (or "proactive")."""
    return rng.choice(OUTREACH[kind][tier]).format_map(slots)


def violation(rng: random.Random, kind: str, slots: dict[str, str]) -> str:
    """A guide message carrying a compliance violation of `kind`."""
    return rng.choice(VIOLATIONS[kind]).format_map(slots)
