"""Surrogate names, addresses and shop words that fill the slots of labelled training text.

Every function takes a `random.Random`, so the training data is a pure function of the seed.
A name comes back as `(text, (start, end))`: the part that is the name (王阿姨 -> 王).
"""

from __future__ import annotations

import random

from salesbrain.ingest.name_tagger_lexicon import COMPOUND_SURNAMES, SURNAMES

# Common given-name characters (female- and male-leaning mixed).
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉萍红丹玲婷雪琳晶颖慧佳倩怡欣悦雅诗梦思"
    "雨晓燕蕾薇璐露瑶萌琪妍然宇浩鹏辉斌峰凯文博梓涵轩嘉俊毅昊晨阳莉蓉菲洁岚清彤馨月荣波亮"
    "海鑫晶睿瑞琦璇钰婕楠茜蕊凡翔航志建国春兰桂芬美雯琴琳霖逸子若依可心"
)
# Characters that double into a pet name (朵朵, 甜甜) or follow 小/阿 (小美, 阿强).
NICK = "朵甜萌婷丹乐欢笑贝妞美雪琳强宝豆糖果米团圆晴菲妮娜萍芳敏杰涛龙虎"
TITLES_SURNAME_ONLY = (
    "女士", "先生", "小姐", "阿姨", "老师", "姐", "哥", "总", "叔", "姐姐", "哥哥", "经理",
)
# Strings a name must never be: they are brands, so the data must not teach them as names.
NOT_NAMES = frozenset({"李宁", "王牌", "周大福", "周生生", "马克华菲", "安踏", "特步"})

PROVINCES = ("广东省", "浙江省", "江苏省", "四川省", "湖北省", "山东省", "福建省", "河南省",
             "湖南省", "安徽省", "辽宁省", "陕西省", "河北省", "云南省", "江西省")
CITIES = ("上海市", "北京市", "广州市", "深圳市", "杭州市", "南京市", "成都市", "武汉市",
          "苏州市", "西安市", "重庆市", "天津市", "长沙市", "郑州市", "宁波市", "厦门市",
          "青岛市", "合肥市", "昆明市", "佛山市", "东莞市", "无锡市", "济南市", "沈阳市")
DISTRICTS = ("浦东新区", "朝阳区", "海淀区", "天河区", "南山区", "西湖区", "鼓楼区", "武侯区",
             "江汉区", "徐汇区", "静安区", "福田区", "越秀区", "余杭区", "高新区", "工业园区",
             "锦江区", "思明区", "市南区", "雁塔区", "滨江区", "黄浦区", "长宁区", "宝安区")
ROADS = ("人民路", "中山北路", "建国路", "解放大道", "文三路", "南京西路", "淮海中路",
         "长江西路", "天府大道", "科技路", "体育西路", "星湖街", "学院路", "花园路", "新华街",
         "江南大道", "延安东路", "东风路", "和平路", "光明街", "胜利路", "金沙江路", "广州大道")
COMPOUNDS = ("阳光花园", "万科城", "金地名苑", "香港广场", "国贸大厦", "恒隆广场", "绿地中心",
             "保利花园", "碧桂园", "翠湖小区", "锦绣家园", "幸福新村", "华润城", "龙湖天街",
             "中海国际社区", "融创公寓", "世纪嘉园", "东方明珠苑", "时代广场", "财富中心")
WINGS = ("南座", "北座", "A座", "B座", "东塔", "西区", "二期")
STORES = ("国贸店", "静安嘉里中心店", "万达广场店", "王府井店", "来福士店", "正佳广场店",
          "太古里店", "西单店", "徐家汇店", "天河城店", "万象城店", "银泰店", "大悦城店",
          "龙湖天街店", "恒隆广场店", "德基店", "IFS店", "SKP店", "老街店", "总店")
BRANDS = ("李宁", "王牌", "太平鸟", "森马", "安踏", "特步", "海澜之家", "波司登", "江南布衣",
          "欧莱雅", "兰蔻", "雅诗兰黛", "花西子", "完美日记", "百雀羚", "自然堂", "珀莱雅",
          "周大福", "周生生", "老凤祥", "马克华菲", "唐狮", "美特斯邦威", "高梵", "雪中飞",
          "鸭鸭", "伊芙丽", "歌力思", "朗姿", "秋水伊人", "金利来", "七匹狼", "红豆", "罗蒙",
          "丁家宜", "韩束", "林清轩", "谢馥春", "毛戈平", "孔凤春", "小米", "小天鹅", "小野")
PRODUCTS = ("羊绒大衣", "连衣裙", "小白鞋", "卫衣", "羽绒服", "精华液", "口红", "粉底液",
            "面霜", "防晒霜", "牛仔裤", "西装外套", "真丝衬衫", "针织开衫", "小香风外套",
            "王炸款", "高领毛衣", "金项链", "白金戒指", "黄金手镯", "方领裙", "宋锦包")


def surname(rng: random.Random) -> str:
    if rng.random() < 0.03:
        return rng.choice(COMPOUND_SURNAMES)
    # the list is by frequency: favour its head the way real surnames do
    return SURNAMES[min(int(rng.expovariate(1 / 25)), len(SURNAMES) - 1)]


def given(rng: random.Random) -> str:
    return "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.3 else 2))


def full_name(rng: random.Random) -> str:
    while (name := surname(rng) + given(rng)) in NOT_NAMES:
        pass
    return name


def nickname(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return "小" + rng.choice(NICK + GIVEN)
    if kind < 0.6:
        return rng.choice(NICK) * 2
    if kind < 0.75:
        return "阿" + rng.choice(NICK + GIVEN)
    if kind < 0.85:
        return "老" + surname(rng)
    return "".join(rng.choice(GIVEN) for _ in range(2))  # 晓婷 without the surname


def titled(rng: random.Random) -> tuple[str, tuple[int, int]]:
    """王阿姨 (span = the surname) or 王小明先生 (span = the full name)."""
    title = rng.choice(TITLES_SURNAME_ONLY)
    name = full_name(rng) if rng.random() < 0.2 else surname(rng)
    return name + title, (0, len(name))


def any_name(rng: random.Random) -> tuple[str, tuple[int, int]]:
    """A name in one of the forms customers and guides write."""
    kind = rng.random()
    if kind < 0.45:
        text = full_name(rng)
    elif kind < 0.75:
        return titled(rng)
    else:
        text = nickname(rng)
    return text, (0, len(text))


def room(rng: random.Random) -> str:
    """The building/unit/room tail: 3801, 5-402, 27F, 12舍302, 3栋2单元501室."""
    kind = rng.random()
    if kind < 0.2:
        return f"{rng.randint(1, 60)}{rng.randint(1, 4):02d}"
    if kind < 0.35:
        return f"{rng.randint(1, 30)}-{rng.randint(1, 33)}{rng.randint(1, 4):02d}"
    if kind < 0.45:
        return f"{rng.randint(2, 60)}{rng.choice('FF楼层')}"
    if kind < 0.55:
        return f"{rng.randint(1, 30)}舍{rng.randint(1, 6)}{rng.randint(1, 30):02d}"
    building = rng.choice((f"{rng.randint(1, 30)}栋", f"{rng.randint(1, 30)}号楼",
                           f"{rng.randint(1, 30)}幢", rng.choice(WINGS)))
    unit = f"{rng.randint(1, 6)}单元" if rng.random() < 0.4 else ""
    number = f"{rng.randint(1, 33)}{rng.randint(1, 4):02d}"
    return building + unit + number + ("室" if rng.random() < 0.5 else "")


def address(rng: random.Random, with_region: float = 0.6) -> str:
    """A full or partial street/compound address, province to room."""
    parts = []
    if rng.random() < with_region:
        if rng.random() < 0.3:
            parts.append(rng.choice(PROVINCES))
        parts += [rng.choice(CITIES), rng.choice(DISTRICTS) if rng.random() < 0.8 else ""]
    if rng.random() < 0.6:
        parts.append(f"{rng.choice(ROADS)}{rng.randint(1, 999)}号")
    if rng.random() < 0.7 or len(parts) < 2:
        parts.append(rng.choice(COMPOUNDS) + rng.choice(("", "", " ")) + room(rng))
    return "".join(parts)
