"""Person names the rules can tell apart from ordinary words, in the half-width text.

A common surname plus one or two given-name characters, and only where the context says it is
a name: after 叫/我是/收件人/姓名...; after a role word (店长杨丽, 户名张伟,
朋友林晓婷, 导购 周佳怡); at the end of a signature (—— 周佳怡); as one field
of a contact block (王秀英 13965001234); before 收 (石磊收); and a surname
before a title (王先生, 李姐, 王阿姨, 李老师; the title is kept). Brand and
product names that look like names (李宁, 王牌, 周大福) are not names.
English given names that Chinese customers and guides go by (Amy, Vivian, Kevin) count where
the context says so: before 姐/哥/老师 or a comma, after 我是/this is/同事/收件人, and with a
Latin surname after them (Jessica Liu); a product line (Coco系列, Tiffany蓝) is left alone.
A surname on its own after 姓 (我婆婆姓钱) or before a role (张店长) is a name too.
Nicknames (小美, 朵朵) and bare names in running text are left to a learned
tagger (`redact.SpanTagger`).
"""

from __future__ import annotations

import re

Candidate = tuple[int, int, int, str]
_RANK = 11  # see redact_numbers.RANK["person_name"]

# Top surnames minus ones that are mostly ordinary words (和 时 全 应 明 路 安 关 向 常 ...).
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔汤温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳祝"
    "包宁尚舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝辛靳柴蒙鲍喻祁蒲房滕屈饶牟艾尤穆卓缪褚娄"
    "窦戚岑费卜冷晏席卫柏宗瞿桂佟臧闵邬卞姬栾隋刁巫寇桑郎甄丛仲虞敖巩佘迟邝赖"
)
_COMPOUND = ("欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|令狐|宇文|长孙|司徒|夏侯|端木"
             "|呼延|南宫|轩辕|钟离|独孤|申屠|闻人|澹台|公冶|淳于|赫连|拓跋|司空")
# Compound surnames that are no ordinary word (not 东方 "east", 上官, 司马): one of these and a
# given name is a name wherever it stands (慕容雪在吗).
_RARE_COMPOUND = ("诸葛|慕容|呼延|皇甫|尉迟|令狐|宇文|夏侯|端木|南宫|轩辕|钟离|独孤|申屠|澹台|公冶"
                  "|淳于|赫连")


def cjk_excluding(chars: str) -> str:
    parts, low = [], 0x4E00
    for code in sorted({ord(c) for c in chars}):
        if code > low:
            parts.append(f"\\u{low:04x}-\\u{code - 1:04x}")
        low = code + 1
    parts.append(f"\\u{low:04x}-\\u9fff")
    return "[" + "".join(parts) + "]"


# Given-name characters exclude particles, shop words, titles and numerals so that 我是黄皮,
# 我是江苏的, 客户王总 and 周六 13800138000 stay untouched.
_GIVEN = cjk_excluding("的了是在我你您他她们这那有和就都也还很吗呢吧啊呀哦哈嘛噢喔好谢请问给"
                        "想要买个件款码色号皮肤领人客天到说过完老收一二三四五六七八九十日末"
                        "总姐哥姨叔店")
_CJK = r"[\u4e00-\u9fff]"
_NAME_END = r"(?=$|[^\u4e00-\u9fff]|电话|手机|联系|地址|身份证|先生|女士|小姐|[呀啊哈哦呢噢喔嘛吧])"
# Everyday words and brands that begin with a surname character and would pass as names.
_NOT_NAMES = (
    "凌晨|舒服|舒适|高兴|高端|高档|方便|方法|温柔|温暖|蒙牛|马上|黄金|白金|钱包|包包|万一|于是|程序"
    "|李宁|王牌|周大福|周生生|周黑鸭|欧莱雅|兰蔻|马克华菲|江南布衣|金利来|高露洁|汤臣倍健|童装"
    "|白色|黑色|红色|黄色|金色|蓝色|高跟|高腰|宁波|沈阳|苏州|温州|常州|江苏|江西|高考|高中|周岁"
    "|杨国福|钱大妈|石头记"
)
# Public figures customers cite for a product (X同款, X直播间, X演唱会): they are not the chat's
# people, and a learned tagger reads them as names. A short list of the most cited, plus the
# context words after any name (`_CELEBRITY_CONTEXT`).
_PUBLIC_FIGURES = (  # only names too distinctive to be a customer's (not 吴磊, 杨洋, 王菲)
    "李佳琦|薇娅|罗永浩|董宇辉|杨幂|刘亦菲|赵露思|欧阳娜娜|周杰伦|迪丽热巴|赵丽颖|王一博|肖战|易烊千玺"
    "|王俊凯|鹿晗|刘诗诗|唐嫣|周冬雨|虞书欣|张艺兴|蔡徐坤|章子怡|范冰冰|舒淇|林志玲|刘德华|张学友"
    "|谢霆锋|谷爱凌|关晓彤|杨超越"
)
# Brands a learned tagger may read as a name (杨国福麻辣烫, 小熊电器, 阿迪): its name spans inside
# one of these, a public figure's name or any word above are dropped (see `redact.trim_tagged`).
_TAGGER_NOT_NAMES = re.compile(f"{_NOT_NAMES}|{_PUBLIC_FIGURES}|小熊电器|小天才|小度|小红书|小程序"
                               "|阿迪达斯|阿迪|耐克|安踏|特步|鸿星尔克")
_CELEBRITY_CONTEXT = re.compile(r"[\u4e00-\u9fff]?(?:同款|直播间|演唱会|代言)")
# Right before a word, these make it a person's name even if it is also a brand or a star's
# (收件人李宁, 我叫周大福, 收件人黎明).
_PERSONAL_CUE = re.compile(r"(?:收件人|提货人|联系人|我叫|我是|名字是?|叫|写)[:：\s]*$")


def inside_brand(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies inside a brand, a public figure's name (or a name followed
    by 同款/直播间/演唱会) or an everyday word that is not a name, and no personal cue such as
    收件人 or 我叫 stands right before it."""
    if _PERSONAL_CUE.search(text, max(0, start - 4), start):
        return False
    lo = max(0, start - 4)
    if _CELEBRITY_CONTEXT.match(text, end):
        return True
    return any(m.start() <= start and end <= m.end()
               for m in _TAGGER_NOT_NAMES.finditer(text, lo, min(len(text), end + 4)))


# The leading character class fails fast at the many positions that cannot start a surname,
# before the costlier word list is tried.
_SURNAME_START = "".join(sorted(set(_SURNAMES) | {w[0] for w in _COMPOUND.split("|")}))
_SURNAME = rf"(?=[{_SURNAME_START}])(?!{_NOT_NAMES})(?:{_COMPOUND}|[{_SURNAMES}])"
_FULL_NAME = rf"{_SURNAME}{_GIVEN}{{1,2}}"
_NAME_CUED = re.compile(
    r"(?:叫我|叫|我是|这边是|本人|收件人?|收货人|提货人|取货人|联系人|寄件人|签收人|姓名|名字)[\s:：|]*"
    r"(?:是|叫|改成|改为|换成|写)?[\s:：|]*"
    rf"(?P<name>{_FULL_NAME}){_NAME_END}|(?<![百同])姓(?P<surname>{_SURNAME})"
)
# A role word names the person right after it; a verb may follow the name (店长杨丽说).
_ROLE = "店长|导购|户名|持卡人|朋友|闺蜜"
_NAME_AFTER_ROLE = re.compile(
    rf"(?:{_ROLE})[\s:：]*(?!{_SURNAME}{_GIVEN}?(?:先生|女士|小姐))(?P<name>{_FULL_NAME})"
    r"(?=$|[^\u4e00-\u9fff]|[说在也让来去帮会要想呢吗吧啊呀哦]|电话|手机|联系|地址)"
)
# A signature closes the message: "—— 周佳怡", "-周佳怡" (— is folded to -).
_SIGNATURE = re.compile(rf"(?:-{{1,2}}|~)\s*(?P<name>{_FULL_NAME})(?=\s*[)）】」]?\s*$)")
# 王总/李姐/张哥/王阿姨/李老师, but not 总是/总裁, 姐姐, 哥们 or 老师们.
_SHOP_TITLE = (rf"总(?=[您你好]|(?!{_CJK}))|姐(?![姐妹夫])|哥(?![哥们])|阿姨|老师(?!们)"
               r"|店长|经理|主管|师傅|老板(?!娘)")
_NAME_TITLED = re.compile(
    rf"(?<!{_CJK})(?P<name>{_FULL_NAME})(?=先生|女士|小姐)"
    # 谢谢姐 and 明白姐 are thanks and assent, not 谢/白 the surname.
    rf"|(?!(?<=谢)谢|(?<=明)白)(?P<surname>{_SURNAME})(?=先生|女士|小姐|{_SHOP_TITLE})"
)
_DOUBLED_WORDS = ("天天|常常|刚刚|慢慢|好好|偷偷|悄悄|渐渐|往往|乖乖|明明|仅仅|默默|轻轻|快快|早早"
                  "|白白|多多|宝宝|哥哥|姐姐|弟弟|妹妹|爸爸|妈妈|奶奶|爷爷|姥姥|婆婆|公公|叔叔"
                  "|舅舅|伯伯|嫂嫂|大大|小小|个个|人人|样样|件件|次次|常常|看看|试试|等等|问问")
# The addressee of a parcel: ，石磊收, 写毛毛收 (a doubled nickname, not 宝宝 or 妈妈)
_NAME_RECEIVES = re.compile(rf"(?<!{_CJK})(?P<name>{_FULL_NAME})(?=收(?!{_CJK}))"
                            rf"|(?!{_DOUBLED_WORDS})(?P<surname>(?P<twice>{_CJK})(?P=twice))"
                            rf"(?=收(?!{_CJK}))")
# A bare name as one field of a contact block that holds a long number:
# 王秀英 13965001234 / ...2345 670，黄丽
_NAME_IN_CONTACT = re.compile(
    rf"(?<!{_CJK})(?!{_SURNAME}{_GIVEN}?(?:先生|女士|小姐))(?P<name>{_FULL_NAME})"
    rf"(?=[\s,，、;；|]*(?:(?:身份证|证件|手机|电话)号?码?[\s:：]*)?(?:\+?86)?[\s-]*\d{{7}})"
    rf"|(?<=\d{{3}}[\s,，、;；])(?P<surname>{_FULL_NAME})(?=$|[\s,，。;；!！])"
)

# A relative, colleague or helper named right after the word for them: 我奶奶白桂兰, 我弟龚子墨,
# 仓管邓丽说, 我儿子豆豆. A full three-character name may run into any word (我奶奶白桂兰腿脚不好);
# a shorter one needs a verb or punctuation after it; a doubled character is a child's nickname
# unless it is an adverb or a kinship word (天天, 慢慢, 宝宝).
_KIN = ("我妈|我爸|我弟|我妹|我哥|我姐|弟弟|妹妹|哥哥|姐姐|儿子|女儿|闺女|奶奶|爷爷|外婆|外公"
        "|姥姥|姥爷"
        "|老公|老婆|爱人|媳妇|表妹|表弟|表姐|表哥|侄子|侄女|孙子|孙女|同事|仓管|前台|助理|司机")
_NOT_AFTER_NAME = "下上明今昨刚也都就去来说在要想会让帮给跟和把被"
_NAME_AFTER_KIN = re.compile(
    rf"(?:{_KIN})[\s:：]*(?:(?P<name>{_SURNAME}{_GIVEN}(?![{_NOT_AFTER_NAME}]){_GIVEN}"
    rf"|{_SURNAME}{_GIVEN}(?=$|[^\u4e00-\u9fff]|[{_NOT_AFTER_NAME}]))"
    rf"|(?!{_DOUBLED_WORDS})(?P<surname>(?P<twice>{_CJK})(?P=twice)))"
)
_RARE_COMPOUND_NAME = re.compile(
    rf"(?!{_PUBLIC_FIGURES})(?P<name>(?:{_RARE_COMPOUND}){_GIVEN}{{1,2}}?)"
    r"(?=$|[^\u4e00-\u9fff]|[在说来去要想呢吗吧啊呀哦])"
)
# Two character classes find the few candidate places faster than the alternation would.
_RARE_COMPOUND_START = re.compile(
    "[" + "".join(sorted({w[0] for w in _RARE_COMPOUND.split("|")})) + "](?=["
    + "".join(sorted({w[1] for w in _RARE_COMPOUND.split("|")})) + "])")
# Parents go by their child's nickname: 我是晨晨妈妈, 是乐乐爸爸 (not 宝宝妈妈).
_CHILD_PARENT = re.compile(
    rf"(?:我是|是)(?!{_DOUBLED_WORDS})(?P<name>(?P<twice>{_CJK})(?P=twice))"
    r"(?=的?(?:妈妈|爸爸|麻麻|粑粑|妈|爸)(?![\u4e00-\u9fff]))"
)
# A guide's name in a store tag: [陆家嘴店·段晨曦], 【万象城店・林可欣】
_STORE_TAG = re.compile(rf"[·・]\s*(?P<name>{_FULL_NAME})\s*[\]】)）]")

# 小 plus a surname is how colleagues call each other (让小邱下来拿, 找小王): after a verb of
# asking, before a verb or punctuation.
_XIAO_SURNAME = re.compile(
    rf"(?:让|找|叫|问|请|跟|和|给)(?P<name>小[{_SURNAMES}])"
    r"(?=$|[^\u4e00-\u9fff]|[来去下上帮说拿送给过签收])"
)
# A message that opens by greeting someone by the given name (晓雯你好, 涛哥，): the words people
# greet with instead of a name (美女你好, 亲你好, 大哥) are not names.
_GREETING_WORDS = ("美女|帅哥|亲亲|亲爱|宝贝|朋友|同学|大家|各位|老板|掌柜|姐妹|小姐|靓女|靓仔"
                   "|先生|女士|客官|伙伴|家人|早上|中午|下午|晚上|上午|您好|你好|小伙|小哥|小妹|早安|晚安|店家"
                   "|商家|客服|师傅|师父|阿姨|叔叔|大哥|大姐|同志|领导|医生|兄弟|哥们|哈喽|嗨嗨"
                   r"|(?P<twice>.)(?P=twice)")
_GREETED = re.compile(
    rf"^(?!{_GREETING_WORDS})(?P<name>{_GIVEN}{{2}})(?=[,，!！]?\s*[你您]好)"
    rf"|^(?![大小表老堂帅靓美亲])(?P<surname>{_GIVEN})(?=[哥姐](?:$|[,，!！~～\s]))"
)

# Words whose presence lets each name pattern fire at all (a cheap gate, see `redact`).
NAME_HINT_WORDS: dict[str, tuple[str, ...]] = {
    "name_cue": ("叫", "我是", "边是", "姓", "本人", "收件", "件人", "货人", "系人", "姓名",
                 "名字"),
    "title": ("先生", "女士", "小姐", "总", "姐", "哥", "阿姨", "老师", "经理", "主管", "师傅",
              "老板"),
    "role": tuple(_ROLE.split("|")),
}
_PATTERNS = {"name_cue": _NAME_CUED, "title": _NAME_TITLED, "role": _NAME_AFTER_ROLE,
             }
# Gates for patterns whose words start with common characters (我, 和, 给): a substring test or
# one search, cheaper than more start characters in the shared hint gate.
_KIN_GATE = re.compile(_KIN)
_HAS_LATIN_WORD = re.compile(r"[A-Z][a-z]")
_RECEIVES_AT = re.compile(r"收(?![\u4e00-\u9fff])")
_SIGNATURE_TAIL = 12  # a signature's dash is at most this far from the end


# English names people in Chinese shops go by; a list, since any capitalised word is not one.
_ENGLISH_NAMES = (
    "Abby|Alice|Alex|Amanda|Amber|Amy|Andy|Angela|Angel|Anna|Annie|Apple|Ashley|Bella|Ben|"
    "Betty|Bonnie|Candy|Carol|Catherine|Cathy|Celine|Chloe|Cherry|Christina|Cindy|Claire|Coco|"
    "Crystal|Daisy|Daniel|David|Demi|Doris|Eason|Echo|Eileen|Elaine|Ella|Emily|Emma|Eric|Erica|"
    "Eva|Evan|Fiona|Frank|Gary|Gigi|Grace|Hannah|Helen|Iris|Ivy|Jack|Jackie|Jacky|Jane|Jason|"
    "Jasmine|Jenny|Jennifer|Jerry|Jessica|Jessie|Jimmy|Joanna|Joey|John|Joyce|Judy|Julia|Julie|"
    "Karen|Kate|Kathy|Kelly|Kevin|Kiki|Kitty|Krystal|Lily|Linda|Lisa|Lucy|Luna|Mandy|Maggie|"
    "May|Mia|Michael|Michelle|Mike|Molly|Momo|Monica|Nancy|Nina|Olivia|Peter|Peggy|Phoebe|"
    "Rachel|Rebecca|Rita|Rose|Ruby|Sally|Sam|Sandy|Sarah|Selina|Serena|Shirley|Sophia|Sophie|"
    "Stella|Stephanie|Summer|Sunny|Susan|Sylvia|Tina|Tom|Tony|Tracy|Vicky|Victor|Vivian|Wendy|"
    "Yoyo|Zoe|Kelvin|Yvonne|Cynthia|Ken|Leo|Ryan|Sean|Vincent|Winnie|Jojo|Queenie"
)
_LATIN_SURNAME = r"(?: (?:Wang|Li|Zhang|Liu|Chen|Yang|Huang|Zhao|Wu|Zhou|Xu|Sun|Ma|Zhu|Hu|Guo|"
_LATIN_SURNAME += r"He|Lin|Luo|Zheng|Liang|Xie|Song|Tang|Han|Feng|Deng|Cao|Peng|Zeng|Xiao|Tian|"
# Cantonese and Hokkien spellings (Chan, Wong, Cheung) of people from Hong Kong and abroad
_LATIN_SURNAME += r"Chan|Cheung|Wong|Lee|Leung|Lau|Ho|Ng|Tan|Lim|Chow|Yip|Tse|Kwok|Lam|Tsang))?"
_ENGLISH_NAME = re.compile(
    rf"(?P<cue>^|(?i:我是|我叫|叫我|this is|i'm|i am|dear|hi|hello|hey|嗨|哈喽|给|-{{1,2}}"
    rf"|同事|朋友|闺蜜|收件人|前台"
    rf"|店长|导购|顾问|店员|助理|客服|[、和,，|])\s*)?"
    rf"(?<![A-Za-z0-9_])(?P<name>阿?(?:{_ENGLISH_NAMES}|{_ENGLISH_NAMES.upper()}){_LATIN_SURNAME})"
    r"(?![A-Za-z0-9_])"
    r"(?P<after>姐|哥|老师|那边|这边|就是|说|签收|\s*[,，:：、~～!！|]|\s*$)?"
)


def english_names(norm: str) -> list[Candidate]:
    """English given names where the context marks them as a person's (see the docstring)."""
    return [(_RANK, *m.span("name"), "person_name") for m in _ENGLISH_NAME.finditer(norm)
            if m.group("cue") or (m.group("cue") == "" and _OPENS_ADDRESS.match(norm, m.end()))
            or m.group("after") is not None or " " in m.group("name")]


# A message that opens with the name, a space and no more Latin words addresses that person
# (Emma 你们SK-II那个..., Lily 5折那个...); Tom Ford or Lily的新款 are brands.
_OPENS_ADDRESS = re.compile(r"\s+[^A-Za-z\s]")


_GREETED_AT = frozenset({"你好", "您好", "哥，", "姐，", "哥,", "姐,", "哥", "姐", "哥!", "姐!",
                         "哥！", "姐！", "，你", "，您", ",你", ",您"})


def name_candidates(norm: str, hints: set[str | None], long_number: bool) -> list[Candidate]:
    """Names in `norm` by the patterns whose hint words it holds; contact-block names only
    when it holds a 7+ digit number."""
    patterns = [pattern for hint, pattern in _PATTERNS.items() if hint in hints]
    if "role" in hints and "title" not in hints:  # 店长 is both a role and a title (张店长)
        patterns.append(_NAME_TITLED)
    if long_number:
        patterns.append(_NAME_IN_CONTACT)
    latin = english_names(norm) if _HAS_LATIN_WORD.search(norm) else []
    if _KIN_GATE.search(norm):
        patterns.append(_NAME_AFTER_KIN)
    if "小" in norm:
        patterns.append(_XIAO_SURNAME)
    if "·" in norm or "・" in norm:
        patterns.append(_STORE_TAG)
    if ("妈" in norm or "爸" in norm or "麻麻" in norm) and "是" in norm:
        patterns.append(_CHILD_PARENT)
    if _RARE_COMPOUND_START.search(norm):
        patterns.append(_RARE_COMPOUND_NAME)
    found = [m for pattern in patterns for m in pattern.finditer(norm)]
    if (norm[1:3] in _GREETED_AT or norm[2:4] in _GREETED_AT) and (m := _GREETED.match(norm)):
        found.append(m)
    if "收" in norm or "-" in norm[-_SIGNATURE_TAIL:] or "~" in norm[-_SIGNATURE_TAIL:]:
        found += [m for m in _closing_names(norm) if m is not None]
    return latin + [(_RANK, *m.span("name" if m.group("name") else "surname"), "person_name")
                    for m in found if m is not None]


def _closing_names(norm: str) -> list[re.Match[str] | None]:
    """A signature at the end (—— 周佳怡) and the addressee before 收 (，石磊收): looked for only
    where the dash or the 收 is, since both are common characters elsewhere."""
    tail = max(0, len(norm) - _SIGNATURE_TAIL)
    found = [_SIGNATURE.search(norm, tail)]
    if "收" in norm:
        found += [_NAME_RECEIVES.search(norm, max(0, at.start() - 4), at.start() + 1)
                  for at in _RECEIVES_AT.finditer(norm)]
    return found
