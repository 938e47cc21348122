"""The simulated brand's world: products, colours, stores, names, campaigns and sales channels.

Everything here is constant data; randomness lives in the modules that draw from it.
"""

from __future__ import annotations

from dataclasses import dataclass

BRAND_NAME = "澜衫"
BRAND_DOMAIN = "lanshan.example.cn"


@dataclass(frozen=True)
class Product:
    """A catalogue item; `sizes` names the size system the customer and guide talk in."""

    name: str
    sizes: str  # "letter", "shoe" or "kids"
    price: int
    material: str
    feature: str
    fit: str


PRODUCTS: tuple[Product, ...] = (
    Product("双面羊毛大衣", "letter", 1599, "90%羊毛", "不扎人，挡风很好", "廓形"),
    Product("短款羽绒服", "letter", 1299, "白鸭绒，含绒量90%", "轻薄保暖，零下十度没问题", "宽松"),
    Product("长款羽绒服", "letter", 1699, "白鹅绒，含绒量90%", "过膝长度，东北也能穿", "直筒"),
    Product("针织开衫", "letter", 459, "羊毛混纺", "软糯亲肤，不起球", "微宽松"),
    Product("圆领卫衣", "letter", 299, "纯棉毛圈", "加绒款，秋冬单穿就够", "落肩宽松"),
    Product("高腰阔腿裤", "letter", 399, "醋酸混纺", "垂感好，显腿长", "高腰阔腿"),
    Product("直筒牛仔裤", "letter", 459, "弹力棉", "不勒腰，久坐不变形", "直筒"),
    Product("法式连衣裙", "letter", 699, "三醋酸", "垂坠不易皱，通勤约会都能穿", "收腰"),
    Product("真丝衬衫", "letter", 899, "桑蚕丝", "光泽柔和，很显气质", "常规"),
    Product("风衣", "letter", 1099, "棉质防泼水面料", "小雨天不用打伞", "经典H型"),
    Product("高领打底衫", "letter", 199, "莫代尔", "贴身不勒脖子，不起静电", "修身"),
    Product("羊绒围巾", "letter", 599, "100%山羊绒", "轻薄保暖，送人很体面", "均码"),
    Product("小白鞋", "shoe", 599, "头层牛皮", "鞋底软，走一天不累", "标准"),
    Product("切尔西靴", "shoe", 899, "小牛皮", "侧边松紧，穿脱方便", "偏大半码"),
    Product("运动老爹鞋", "shoe", 699, "网面拼接", "增高四厘米，很轻", "标准"),
    Product("儿童羽绒服", "kids", 599, "白鸭绒", "耐脏面料，可机洗", "宽松"),
    Product("儿童卫衣套装", "kids", 329, "纯棉", "不起球，宝宝穿着舒服", "宽松"),
)

COLOURS = ("黑色", "燕麦色", "米白", "藏青", "驼色", "雾霾蓝", "焦糖色", "灰色", "酒红", "奶咖色",
           "墨绿", "杏色")
LETTER_SIZES = ("S", "M", "L", "XL", "XXL")
SHOE_SIZES = ("35", "36", "37", "38", "39", "40", "41", "42", "43")
KIDS_SIZES = ("100", "110", "120", "130", "140")

MATCHES = ("直筒牛仔裤", "阔腿裤", "半身裙", "小白鞋", "打底衫", "短靴")
GIFTS = ("保温杯", "帆布包", "羊毛袜", "护手霜礼盒", "品牌雨伞", "收纳袋")
COUPONS = ("50元无门槛", "100元满减", "200元满1000可用", "95折", "30元新人")
MEMBER_LEVELS = ("普卡会员", "银卡会员", "金卡会员", "黑卡会员")
COURIERS = ("顺丰", "中通", "圆通", "京东快递", "韵达", "EMS")
PAY_TOOLS = ("花呗", "信用卡", "微信支付", "云闪付")

REGION_CITIES: dict[str, tuple[str, ...]] = {
    "华东": ("上海", "杭州", "南京", "苏州", "宁波", "合肥"),
    "华南": ("广州", "深圳", "厦门", "福州", "南宁"),
    "华北": ("北京", "天津", "石家庄", "济南", "青岛"),
    "华中": ("武汉", "长沙", "郑州", "南昌"),
    "西南": ("成都", "重庆", "昆明", "贵阳"),
}
MALLS = ("万象城", "大悦城", "银泰", "来福士", "万达广场", "吾悦广场", "龙湖天街", "德基广场",
         "太古里", "IFS", "凯德广场", "百联")
DISTRICTS = ("朝阳区", "浦东新区", "天河区", "西湖区", "武侯区", "江汉区", "鼓楼区", "南山区",
             "雨花区", "历下区", "渝中区", "思明区")
ROADS = ("人民路", "解放路", "中山路", "建设路", "和平路", "长江路", "文化路", "新华路", "青年路",
         "滨江大道", "科技路", "学府路")
LANDMARKS = ("地铁站", "火车站", "市中心", "我们小区", "公司", "大学城")
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日", "明天", "后天",
            "这周末")
CLOCKS = ("上午十点", "上午十一点", "中午", "下午两点", "下午三点", "下午四点半", "傍晚",
          "晚上七点", "晚上八点", "下班后")
COMPANIES = ("上海明远科技有限公司", "杭州禾木文化传媒有限公司", "深圳启航贸易有限公司",
             "北京晨曦咨询有限公司")
EMAIL_HOSTS = ("qq.com", "163.com", "126.com", "foxmail.com", "outlook.com")

# (surname, pinyin) and (given name, pinyin): guide names and ids like g0001_lina
SURNAMES = (("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
            ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
            ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"),
            ("何", "he"), ("林", "lin"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"),
            ("谢", "xie"), ("宋", "song"), ("唐", "tang"), ("许", "xu"), ("韩", "han"),
            ("冯", "feng"), ("邓", "deng"), ("曹", "cao"), ("彭", "peng"), ("曾", "zeng"),
            ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("潘", "pan"), ("蒋", "jiang"),
            ("蔡", "cai"), ("叶", "ye"), ("程", "cheng"), ("苏", "su"))
GIVEN_NAMES = (("娜", "na"), ("婷", "ting"), ("静", "jing"), ("敏", "min"), ("丽", "li"),
               ("芳", "fang"), ("雪", "xue"), ("颖", "ying"), ("琳", "lin"), ("佳", "jia"),
               ("晓燕", "xiaoyan"), ("思雨", "siyu"), ("梦琪", "mengqi"), ("欣怡", "xinyi"),
               ("子涵", "zihan"), ("雨桐", "yutong"), ("诗涵", "shihan"), ("可欣", "kexin"),
               ("慧", "hui"), ("倩", "qian"), ("悦", "yue"), ("露", "lu"), ("浩", "hao"),
               ("磊", "lei"), ("杰", "jie"), ("俊", "jun"), ("晨", "chen"), ("阳", "yang"),
               ("嘉怡", "jiayi"), ("雅琪", "yaqi"))
CUSTOMER_SURNAMES = tuple(s for s, _ in SURNAMES)


@dataclass(frozen=True)
class Campaign:
    """A brand-wide promotion, placed by day offsets from the simulation start."""

    name: str
    rule: str
    first_day: int
    last_day: int
    discount: float  # typical share of list price the customer pays


CAMPAIGNS: tuple[Campaign, ...] = (
    Campaign("秋冬上新季", "满1000减150", 0, 9, 0.88),
    Campaign("会员日", "会员双倍积分再享9折", 17, 17, 0.90),
    Campaign("双11预售", "定金50抵100，满2000减300", 19, 45, 0.85),
    Campaign("年终盛典", "全场8.5折", 46, 400, 0.85),
)
NO_CAMPAIGN = Campaign("会员专享", "会员9.5折", -1, -1, 0.95)


def campaign_on(day: int) -> Campaign:
    """The campaign running on a day offset, or the everyday member price."""
    for campaign in CAMPAIGNS:
        if campaign.first_day <= day <= campaign.last_day:
            return campaign
    return NO_CAMPAIGN


BACKGROUND_CHANNELS = ("store", "mall_app", "tmall", "jd", "wechat_mall")
BACKGROUND_CHANNEL_WEIGHTS = (0.40, 0.20, 0.20, 0.10, 0.10)
ONLINE_CHANNELS = ("wechat_mall", "mall_app", "tmall", "jd")
ONLINE_CHANNEL_WEIGHTS = (0.55, 0.2, 0.15, 0.1)
