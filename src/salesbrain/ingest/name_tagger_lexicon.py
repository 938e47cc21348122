"""Word lists behind the name tagger's gate and features.

They are defaults: a trained tagger stores its own copy in `config.json`, so a model and the
lists it was trained with never drift apart. The gate's `common_words` (ordinary words that
begin with a surname or nickname character, such as 高兴, 方便, 小时) are learned from real
de-identified chat by the training job; the default here is a short hand-made seed.
"""

from __future__ import annotations

# Common surnames, most frequent first. Characters that are mostly ordinary words (和 时 全
# 应 明 路 安 关 向 常) are left out, as in the redaction rules.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔汤温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳祝"
    "包宁尚舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝辛靳柴蒙鲍喻祁蒲房滕屈饶牟艾尤穆卓缪褚娄"
    "窦戚岑费卜冷晏席卫柏宗瞿桂佟臧闵邬卞姬栾隋刁巫寇桑郎甄丛仲虞敖巩佘迟邝"
)
COMPOUND_SURNAMES = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "宇文",
    "长孙", "司徒", "夏侯", "端木",
)
# Characters that start a nickname: 小美, 阿强, 老王.
NICKNAME_PREFIXES = "小阿老"
# Particles and shop words that never follow a surname as a given name, so 张的, 王吗 and 于是
# do not open the gate.
NOT_GIVEN = (
    "的了是在我你您他她们这那有就都也还很吗呢吧啊呀哦嘛噢喔谢请问给想要买个件款码号到说过完什么怎能会"
)

# Cue words by category; the tagger sees the category of a cue next to a character, so a cue it
# never saw in training still helps when it is added here.
CUES: dict[str, tuple[str, ...]] = {
    "kin": (
        "我妈", "妈妈", "老妈", "我爸", "爸爸", "老公", "老婆", "媳妇", "闺蜜", "朋友", "同事",
        "同学", "姐妹", "表姐", "表妹", "女儿", "儿子", "婆婆", "室友", "男朋友",
        "女朋友", "男票", "家人", "亲戚", "舅舅", "姑姑", "嫂子", "小姑子", "邻居", "领导",
    ),
    "role": (
        "店长", "导购", "顾问", "美容师", "店员", "经理", "主管", "客服", "专员", "户名",
        "收件人", "收货人", "联系人", "寄件人", "签收人", "姓名", "名字", "老板娘", "老板",
        "设计师", "搭配师", "化妆师", "柜姐", "员工", "负责人", "对接人", "开户名", "持卡人",
    ),
    "title": (
        "女士", "先生", "小姐", "阿姨", "老师", "姐姐", "哥哥", "大姐", "大哥", "叔叔", "姐",
        "哥", "总", "叔", "姨", "妹", "经理", "医生", "律师", "同学", "宝",
    ),
    "greeting": (
        "亲爱的", "您好", "你好", "哈喽", "嗨", "谢谢", "感谢", "我是", "我叫", "叫我", "叫",
        "本人", "找", "问问", "辛苦", "麻烦", "@",
    ),
    "address": (
        "地址", "住址", "寄到", "送到", "发到", "住在", "宿舍", "自治区", "省", "市", "区",
        "县", "镇", "乡", "村", "街道", "大道", "大街", "路", "街", "巷", "弄", "号院", "号楼",
        "号", "栋", "幢", "座", "单元", "楼", "层", "室", "舍", "小区", "花园", "公寓", "大厦",
        "广场", "中心", "家园", "新村", "苑", "城", "园", "院", "期",
    ),
    "store": (
        "店", "专柜", "门店", "旗舰店", "品牌", "官方", "牌子", "系列", "款",
    ),
}

# Words that open the gate by themselves: a name often follows them without a surname (朋友晓婷,
# 店长小美). Generic service words (客服, 经理, 老板) are left out: in service chat they are
# everywhere and rarely next to a name. Cues such as 姓名 and 地址 are left out too: what
# follows them opens the gate on its own (a surname, a number, a place) and the rules own them.
GATE_WORDS = (
    "我妈", "老妈", "我爸", "老公", "老婆", "媳妇", "闺蜜", "朋友", "同事", "同学", "表姐",
    "表妹", "女儿", "儿子", "婆婆", "室友", "男朋友", "女朋友", "男票", "嫂子", "邻居", "领导",
    "店长", "导购", "顾问", "美容师", "店员", "户名", "收件人", "收货人", "联系人", "寄件人",
    "签收人", "姓名", "名字", "老板娘", "设计师", "搭配师", "化妆师", "柜姐", "负责人", "对接人",
    "持卡人", "女士", "先生", "小姐", "阿姨", "老师", "叔叔", "宿舍", "小区", "公寓", "大厦",
    "【", "@", "我叫", "叫我",
)
# Message shapes that may hold a name or an address even without a surname character.
GATE_PATTERNS = (
    r"[\dA-Za-z]\s?(?:栋|幢|座|单元|楼|层|室|舍|号楼|号院|F\b)",
    r"(?:栋|幢|座|单元|舍)\s?\d",
    r"(?<![\d-])\d{1,3}-\d{3,4}(?![\d-])",  # 5-402, not dates or phone numbers
    r"[路街道巷弄]\d",
    r"[村园城苑场心厦区]\s?\d{3,4}(?!\d)",  # 幸福新村 2602, 财富中心204
    r"[省市区县][\u4e00-\u9fff]{1,8}?[路街镇乡村]",
)

# A seed of ordinary words beginning with a surname or nickname character; the training job
# replaces it with the frequent ones in real de-identified chat.
COMMON_WORDS = (
    "高兴", "方便", "时间", "周末", "马上", "小时", "老板", "金额", "万一", "于是", "程序",
    "黄色", "白色", "石头", "江湖", "嗯嗯", "哈哈", "谢谢", "好好", "亲亲",
)
