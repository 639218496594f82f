"""Vocabulary of the synthetic data generator: name parts, regions, capability,
resource and need templates.

Only constant data and tiny pure helpers live here (no randomness, no I/O), so
the demo and the scale generator draw from exactly the same building blocks.
Everything here is our own invention for synthetic data: the 字号 (trade-name)
syllables make names that look plausible but belong to no real firm.
"""

from __future__ import annotations

# 60 characters common in Chinese trade names (字号). A trade name is 2–4 of
# them, chosen by a bijection from the enterprise number so names never repeat.
SYLLABLES: str = (
    "鑫泰宏盛华冀隆源达丰恒瑞嘉德港通远晟昊铭凯永兴顺安博诚信和锦"
    "润宇昌裕祥福聚金益新峰坤正弘志汇能泽天成冠誉创启航迈拓钧晨辰"
)
assert len(SYLLABLES) == 60 and len(set(SYLLABLES)) == 60

# Tangshan county-level regions: code -> (name-prefix variants, weight of firms).
# Prefixes are how real registered names of each place usually start.
TANGSHAN_REGIONS: dict[str, tuple[tuple[str, ...], float]] = {
    "130202": (("唐山", "唐山市路南区"), 1.0),
    "130203": (("唐山", "唐山市路北区"), 1.2),
    "130204": (("唐山市古冶区", "唐山古冶"), 0.7),
    "130205": (("唐山市开平区", "唐山开平"), 0.8),
    "130207": (("唐山市丰南区", "唐山丰南"), 1.3),
    "130208": (("唐山市丰润区", "唐山丰润"), 1.2),
    "130209": (("唐山曹妃甸", "唐山市曹妃甸区"), 1.2),
    "130224": (("滦南县", "唐山滦南"), 0.6),
    "130225": (("乐亭县", "唐山乐亭"), 0.6),
    "130227": (("迁西县", "唐山迁西"), 0.6),
    "130229": (("玉田县", "唐山玉田"), 0.7),
    "130271": (("唐山芦台", "河北芦台"), 0.3),
    "130272": (("唐山汉沽", "唐山市汉沽"), 0.3),
    "130273": (("唐山高新", "唐山"), 0.8),
    "130274": (("唐山海港", "唐山京唐港"), 0.5),
    "130281": (("遵化市", "遵化"), 0.7),
    "130283": (("迁安市", "迁安"), 1.0),
    "130284": (("滦州市", "滦州"), 0.7),
}

# Where each chain's firms cluster inside Tangshan (multiplies the weights above).
CHAIN_AFFINITY: dict[str, dict[str, float]] = {
    "ts-steel": {"130283": 4, "130207": 3, "130208": 2, "130227": 2.5, "130284": 2,
                 "130281": 1.5, "130209": 2, "130225": 1.5, "130224": 1.5, "130204": 1.5},
    "ts-equip": {"130208": 4, "130273": 4, "130203": 2, "130205": 1.5, "130209": 1.5},
    "ts-newmat": {"130273": 4, "130207": 2, "130209": 2, "130205": 1.5, "130229": 1.5},
    "ts-chem": {"130209": 4, "130274": 3, "130204": 2, "130207": 1.5, "130224": 1.5,
                "130271": 2, "130272": 2},
    "ts-building": {"130203": 3, "130202": 3, "130205": 2, "130208": 2, "130204": 2,
                    "130229": 1.5, "130284": 1.5},
    "ts-port": {"130209": 5, "130274": 5, "130225": 3, "130207": 2, "130202": 1.5},
    "ts-hydrogen": {"130209": 4, "130273": 3, "130225": 2, "130224": 1.5, "130283": 1.5},
}

# Firms outside Tangshan (external candidates for 补链): code -> (prefixes, weight,
# chains they lean to). Codes are real county-level divisions.
EXTERNAL_REGIONS: dict[str, tuple[tuple[str, ...], float, tuple[str, ...]]] = {
    "110105": (("北京",), 1.5, ("ts-port", "ts-newmat")),
    "110108": (("北京",), 1.5, ("ts-equip", "ts-newmat", "ts-port")),
    "110115": (("北京",), 1.0, ("ts-equip", "ts-hydrogen")),
    "110114": (("北京",), 0.8, ("ts-hydrogen", "ts-newmat")),
    "120116": (("天津", "天津滨海"), 2.0, ("ts-chem", "ts-port", "ts-steel", "ts-equip")),
    "120110": (("天津",), 0.8, ("ts-equip", "ts-steel")),
    "120113": (("天津",), 0.8, ("ts-equip", "ts-building")),
    "130104": (("石家庄",), 1.0, ("ts-newmat", "ts-chem")),
    "130302": (("秦皇岛",), 1.0, ("ts-port", "ts-equip")),
    "130402": (("邯郸",), 1.0, ("ts-steel",)),
    "131002": (("廊坊",), 0.8, ("ts-port", "ts-building")),
    "130602": (("保定",), 0.8, ("ts-hydrogen", "ts-equip")),
    "130902": (("沧州",), 0.8, ("ts-chem", "ts-steel")),
    "370211": (("青岛",), 0.8, ("ts-port", "ts-equip")),
    "210211": (("大连",), 0.6, ("ts-equip", "ts-port")),
    "310115": (("上海",), 1.0, ("ts-newmat", "ts-hydrogen", "ts-equip")),
    "320583": (("昆山",), 0.8, ("ts-equip", "ts-newmat")),
    "330211": (("宁波",), 0.8, ("ts-chem",)),
    "430211": (("株洲",), 0.7, ("ts-equip",)),
    "440604": (("佛山",), 0.8, ("ts-building",)),
    "360202": (("景德镇",), 0.5, ("ts-building",)),
    "440305": (("深圳",), 0.8, ("ts-newmat", "ts-equip", "ts-hydrogen")),
}

# Trade words after the 字号, by GB/T 4754 class (4 digits) then division (2).
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "06": ("煤业", "矿业"), "07": ("石油", "油气"), "08": ("矿业", "矿产"),
    "10": ("矿产", "建材"), "25": ("焦化", "能源", "煤化"), "26": ("化工", "化学"),
    "2621": ("化肥", "化工"), "2641": ("涂料", "化工"), "2666": ("环保科技", "水处理"),
    "28": ("化纤", "纤维"), "29": ("塑料", "塑胶"), "2922": ("塑业", "管业"),
    "30": ("建材", "新材料"), "3011": ("水泥", "建材"), "3021": ("混凝土", "建材"),
    "3022": ("建筑构件", "装配式建筑"), "3041": ("玻璃",), "3061": ("玻纤", "复合材料"),
    "3062": ("复合材料", "玻璃钢"), "3071": ("陶瓷", "瓷业"), "3072": ("陶瓷", "卫浴"),
    "3073": ("特种陶瓷", "陶瓷科技"), "3074": ("瓷业", "骨质瓷"), "3075": ("陶瓷艺术", "瓷业"),
    "3089": ("耐火材料", "耐材"), "3091": ("炭素", "碳材料"), "3099": ("新材料", "微粉"),
    "31": ("钢铁", "钢业", "特钢"), "3110": ("钢铁", "冶金"), "3140": ("铁合金", "冶金"),
    "32": ("有色金属", "金属材料"), "3216": ("铝业",), "3252": ("铝业", "铝材"),
    "3217": ("镁业",), "3240": ("合金材料", "镁合金"),
    "33": ("金属制品", "五金"), "3311": ("钢结构", "钢构"), "3331": ("集装箱",),
    "3332": ("压力容器", "容器"), "3340": ("钢丝绳", "金属制品"), "3391": ("铸造", "铸业"),
    "3393": ("锻造", "锻压"), "34": ("机械", "机电"), "3451": ("轴承",),
    "3453": ("传动", "减速机"), "3525": ("模具", "模具科技"), "3491": ("机器人", "智能装备"),
    "3492": ("机器人", "智能科技"),
    "35": ("重工", "机械", "装备"), "36": ("汽车部件", "汽配"), "3612": ("新能源汽车", "汽车"),
    "37": ("轨道装备", "交通装备"), "3737": ("海洋工程", "海工装备"), "3739": ("航标", "海事设备"),
    "38": ("电气", "电机"), "3831": ("电缆", "线缆"), "3841": ("电池", "新能源"),
    "3849": ("氢能科技", "能源科技"), "3825": ("光伏", "新能源"), "39": ("电子", "电子科技"),
    "3985": ("新材料", "电子材料"), "40": ("自动化", "仪器仪表"), "42": ("再生资源", "物资回收"),
    "43": ("设备维修", "机械维修"), "44": ("新能源", "电力"), "45": ("燃气", "氢能"),
    "47": ("建设", "建工"), "48": ("港航工程", "建设工程"), "50": ("装饰", "装饰工程"),
    "51": ("贸易", "物产", "商贸"), "52": ("商贸", "电子商务"), "5266": ("氢能", "加氢能源"),
    "5829": ("国际物流", "供应链"), "3399": ("金属制品", "增材制造"), "53": ("铁路物流", "物流"),
    "54": ("运输", "物流"), "55": ("港务", "航运", "海运"), "5532": ("港务", "码头"),
    "58": ("国际物流", "国际货运"), "59": ("仓储", "物流"), "65": ("信息技术", "科技"),
    "71": ("设备租赁", "租赁"), "72": ("供应链管理", "供应链"),
}

# Capital-intensive classes (smelting, rolling, refining, basic chemicals, cement and
# glass, rolling stock, ports, shipping, power): few micro firms make these.
HEAVY_CODES: frozenset[str] = frozenset({
    "0610", "0711", "0721", "0810", "2511", "2521", "2522", "2612", "2614", "2621", "2651",
    "2811", "2812", "3011", "3041", "3110", "3120", "3130", "3140", "3216", "3217", "3711",
    "3715", "3720", "3737", "4415", "4416", "4823", "5320", "5521", "5522", "5532",
})

# Company-form suffixes: (suffix, used for which sizes).
SUFFIX_SMALL: tuple[str, ...] = ("有限公司", "有限公司", "有限公司", "有限责任公司")
SUFFIX_LARGE: tuple[str, ...] = ("集团有限公司", "股份有限公司", "有限公司")

# Weight of each collaboration area when a firm's capability is drawn (manufacturing
# dominates). Capability names come from the shared taxonomy (ingest.reference).
AREA_WEIGHTS: dict[str, float] = {
    "创新创意": 0.6, "设计研发": 1.4, "生产制造": 3.0, "物资采购": 1.0, "市场营销": 1.2,
    "资金融通": 0.4,
}

# Shareable resources by type.
RESOURCES: dict[str, tuple[str, ...]] = {
    "equipment": ("闲置数控加工中心", "大型龙门铣床", "热处理炉", "起重运输设备", "检测仪器设备",
                  "工业机器人工作站", "3D打印设备"),
    "facility": ("标准化厂房", "仓储库房", "检测实验室", "中试基地", "铁路专用线", "码头泊位",
                 "冷库", "职工培训中心"),
    "data": ("生产运行数据", "设备状态监测数据", "物流运输数据", "能耗数据"),
    "other": ("技术专家团队", "工业固废资源", "余热余压资源"),
}

# Short English-free notes put into descriptions so every record says it is synthetic.
SYNTHETIC_NOTE: str = "（合成演示数据，非真实企业）"


def industry_words(code: str) -> tuple[str, ...]:
    """Trade words for a GB/T 4754 class code: the class's own, else its division's."""
    return INDUSTRY_WORDS.get(code) or INDUSTRY_WORDS.get(code[:2]) or ("实业", "科技")


def trade_name(number: int, offset: int) -> str:
    """The ``number``-th trade name (字号) in a permuted order; never repeats.

    Numbers 0–3,599 give two characters, the next 216,000 three, then four
    (12.96 M): each block is walked by an affine permutation so neighbours differ.
    """
    n = len(SYLLABLES)
    for width in (2, 3, 4, 5):
        size = n**width
        if number < size:
            # 1_000_003 is prime, hence coprime with every power of 60.
            k = (number * 1_000_003 + offset) % size
            chars = []
            for _ in range(width):
                k, r = divmod(k, n)
                chars.append(SYLLABLES[r])
            return "".join(chars)
        number -= size
    raise ValueError("enterprise number out of range for trade names")
