"""Word lists for the demonstration registry: places, made-up shop names, foods, findings.

Kept apart from demo_data.py so the generator reads as logic. Region codes are real
GB/T 2260 codes for 运城市; every business, brand and story built from these words is
fictional (names end in （演示）), so a fake recall can never hit a real business.
Lists are tuples: their order is part of the output, so never build them from sets.
"""
from __future__ import annotations

from typing import NamedTuple


class County(NamedTuple):
    code: str
    name: str
    name_en: str
    lat: float  # approximate seat of the county government; businesses scatter around it
    lon: float
    towns: tuple[str, ...]  # first one hosts the 城区 station


PROVINCE = ("140000", "山西省", "Shanxi Province")
CITY = ("140800", "运城市", "Yuncheng City")

COUNTIES = (
    County("140802", "盐湖区", "Yanhu District", 35.03, 111.00, ("北城街道", "解州镇", "龙居镇")),
    County("140821", "临猗县", "Linyi County", 35.14, 110.77, ("猗氏镇", "临晋镇", "嵋阳镇")),
    County("140822", "万荣县", "Wanrong County", 35.42, 110.84, ("解店镇", "荣河镇", "汉薛镇")),
    County("140823", "闻喜县", "Wenxi County", 35.36, 111.22, ("桐城镇", "东镇镇", "礼元镇")),
    County("140824", "稷山县", "Jishan County", 35.60, 110.98, ("稷峰镇", "西社镇", "翟店镇")),
    County("140825", "新绛县", "Xinjiang County", 35.62, 111.22, ("龙兴镇", "泽掌镇", "北张镇")),
    County("140826", "绛县", "Jiang County", 35.49, 111.57, ("古绛镇", "横水镇", "南樊镇")),
    County("140827", "垣曲县", "Yuanqu County", 35.30, 111.67, ("新城镇", "古城镇", "历山镇")),
    County("140828", "夏县", "Xia County", 35.14, 111.22, ("瑶峰镇", "水头镇", "泗交镇")),
    County("140829", "平陆县", "Pinglu County", 34.84, 111.22, ("圣人涧镇", "张店镇", "常乐镇")),
    County("140830", "芮城县", "Ruicheng County", 34.69, 110.69, ("古魏镇", "风陵渡镇", "永乐镇")),
    County("140881", "永济市", "Yongji City", 34.87, 110.45, ("城西街道", "蒲州镇", "开张镇")),
    County("140882", "河津市", "Hejin City", 35.60, 110.71, ("城区街道", "樊村镇", "僧楼镇")),
)

# Parks: (county code, name). Ids are derived from the county code and position.
PARKS = (
    ("140802", "盐湖区食品小作坊集中加工区（演示）"),
    ("140824", "稷山县麻花产业园（演示）"),
    ("140824", "稷山县翟店食品加工集中区（演示）"),
    ("140823", "闻喜县煮饼小作坊集聚区（演示）"),
    ("140830", "芮城县特色食品加工园（演示）"),
    ("140882", "河津市传统糖果加工区（演示）"),
    ("140881", "永济市面食加工集中区（演示）"),
    ("140826", "绛县山楂食品加工区（演示）"),
)

STREETS = ("人民路", "府前街", "解放路", "东大街", "西大街", "南关街", "北关街", "新华路",
           "文化路", "建设路", "中心街", "车站路", "工业路", "商贸街", "古城路")
VILLAGES = ("东村", "西村", "南庄", "北堡", "前营", "后院村", "王家庄", "李家庄", "三里铺", "小河村")

# Made-up 字号 from two syllables; combined they are ordinary-sounding but invented.
NAME_FIRST = ("福", "德", "永", "聚", "恒", "兴", "隆", "祥", "瑞", "和", "顺", "益",
              "丰", "鑫", "源", "泰", "昌", "盛", "宏", "裕", "庆", "嘉", "同", "怡")
NAME_SECOND = ("兴", "顺", "盛", "源", "丰", "祥", "和", "记", "香", "味", "成", "福",
               "春", "合", "远", "升", "达", "旺", "鼎", "诚")

SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱",
            "高", "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于",
            "董", "程", "曹", "袁", "邓", "许", "薛", "贾", "卫", "柴", "畅", "景", "解", "裴",
            "史", "任", "姚", "段", "雷", "乔", "贺", "武", "常", "阎", "欧阳", "司马", "上官")
GIVEN_NAMES = ("建国", "秀英", "桂兰", "志强", "海燕", "文华", "永红", "卫东", "丽娟", "晓峰",
               "红梅", "国庆", "玉珍", "金凤", "建军", "小平", "春花", "振华", "淑芬", "俊杰",
               "少华", "亚楠", "雪梅", "海涛", "明", "静", "伟", "芳", "磊", "娜")


class Food(NamedTuple):
    name: str                   # base name; the product is "<name>（<variant>）"
    category: str
    variants: tuple[str, ...]
    specs: tuple[str, ...]
    ingredients: str            # 、-separated, label order
    additives: tuple[str, ...]  # choices; "" means none used
    standard: str
    shelf_lives: tuple[str, ...]
    materials: tuple[tuple[str, str], ...]  # (material, origin); a product uses 1-4 of them


FOODS = {
    "麻花": Food("麻花", "糕点", ("原味", "椒盐", "蜂蜜", "红糖", "芝麻", "海苔"),
               ("200g/袋", "250g/袋", "400g/袋", "500g/盒"),
               "小麦粉、食用植物油、白砂糖、鸡蛋、芝麻、食用盐", ("", "碳酸氢钠", "碳酸氢钠、碳酸氢铵"),
               "GB 7099", ("60天", "90天", "120天"),
               (("小麦粉", "山西运城"), ("菜籽油", "山西运城"), ("白砂糖", "广西南宁"),
                ("鸡蛋", "山西稷山"), ("白芝麻", "河南驻马店"))),
    "锅巴": Food("小米锅巴", "膨化食品", ("五香", "麻辣", "孜然", "原味"),
               ("150g/袋", "228g/袋", "500g/袋"),
               "小米、大米、食用植物油、食用盐、五香粉", ("", "谷氨酸钠"),
               "GB 17401", ("150天", "180天"),
               (("小米", "山西沁县"), ("大米", "黑龙江五常"), ("大豆油", "山东"), ("食用盐", "山西运城"))),
    "麻片": Food("芝麻片", "糖果", ("原味", "黑芝麻", "花生"), ("180g/盒", "300g/袋", "500g/盒"),
               "白芝麻、麦芽糖、白砂糖、花生仁", ("",),
               "GB 17399", ("180天", "240天"),
               (("白芝麻", "河南驻马店"), ("麦芽糖", "山西芮城"), ("白砂糖", "广西南宁"), ("花生仁", "河南开封"))),
    "芝麻糖": Food("芝麻糖", "糖果", ("酥心", "夹心", "片装"), ("200g/袋", "400g/盒"),
                "芝麻、麦芽糖、白砂糖", ("",), "GB 17399", ("180天",),
                (("白芝麻", "河南驻马店"), ("麦芽糖", "山西河津"), ("白砂糖", "广西南宁"))),
    "牛肉饼": Food("牛肉饼", "速冻面米制品", ("原味", "葱香", "微辣"), ("4个/袋(480g)", "6个/袋(720g)"),
                "小麦粉、牛肉、洋葱、食用植物油、食用盐、花椒粉", ("", "复配膨松剂"),
                "GB 19295", ("冷冻（-18℃以下）180天",),
                (("小麦粉", "山西永济"), ("牛肉", "内蒙古通辽"), ("洋葱", "山西永济"), ("花椒粉", "山西芮城"))),
    "煮饼": Food("煮饼", "糕点", ("蜂蜜", "原味", "枣泥"), ("400g/盒", "800g/礼盒"),
               "小麦粉、蜂蜜、白砂糖、芝麻、食用植物油、红枣", ("",), "GB 7099", ("60天", "90天"),
               (("小麦粉", "山西闻喜"), ("蜂蜜", "山西垣曲"), ("白芝麻", "河南驻马店"), ("红枣", "山西稷山"))),
    "油茶": Food("油茶", "冲调谷物制品", ("五香", "甜味", "核桃"), ("400g/袋", "1000g/袋"),
               "小麦粉、芝麻、花生仁、核桃仁、食用盐、花椒", ("",), "GB 19640", ("180天", "12个月"),
               (("小麦粉", "山西运城"), ("花生仁", "河南开封"), ("核桃仁", "山西平陆"), ("花椒", "山西芮城"))),
    "粉条": Food("粉条", "淀粉制品", ("红薯", "马铃薯", "宽粉"), ("500g/袋", "2.5kg/袋"),
               "红薯淀粉、水", ("",), "GB 2713", ("18个月", "24个月"),
               (("红薯淀粉", "山西万荣"), ("马铃薯淀粉", "内蒙古乌兰察布"))),
    "醋": Food("食醋", "调味品", ("陈醋", "老陈醋", "熏醋", "柿子醋", "苹果醋", "枣醋"), ("500mL/瓶", "2.5L/桶"),
              "水、高粱、麸皮、大米、食用盐", ("", "苯甲酸钠"), "GB 2719", ("24个月", "36个月"),
              (("高粱", "山西晋中"), ("麸皮", "山西运城"), ("大米", "黑龙江五常"), ("柿子", "山西平陆"),
               ("苹果", "山西临猗"), ("红枣", "山西稷山"))),
    "月饼": Food("月饼", "糕点", ("五仁", "枣泥", "豆沙", "冰糖"), ("100g/个", "600g/盒"),
               "小麦粉、白砂糖、食用植物油、核桃仁、红枣", ("", "山梨酸钾"), "GB 7099", ("45天",),
               (("小麦粉", "山西运城"), ("核桃仁", "山西平陆"), ("红枣", "山西稷山"), ("白砂糖", "广西南宁"))),
    "馍": Food("馍", "糕点", ("花馍", "石子馍", "枣花馍", "空心馍"), ("500g/袋", "1kg/盒"),
              "小麦粉、水、酵母、红枣", ("",), "DBS14/ 003", ("7天", "30天"),
              (("小麦粉", "山西万荣"), ("红枣", "山西稷山"), ("酵母", "湖北宜昌"))),
    "豆腐干": Food("豆腐干", "豆制品", ("五香", "麻辣", "卤汁"), ("200g/袋", "500g/袋"),
                "大豆、水、食用盐、酱油、八角", ("硫酸钙", "氯化镁"), "GB 2712", ("30天", "90天"),
                (("大豆", "黑龙江"), ("酱油", "山西运城"), ("八角", "广西玉林"))),
    "山楂": Food("山楂", "蜜饯", ("山楂片", "山楂糕", "山楂条"), ("200g/袋", "500g/袋"),
               "山楂、白砂糖", ("", "柠檬酸"), "GB 14884", ("9个月", "12个月"),
               (("山楂", "山西绛县"), ("白砂糖", "广西南宁"))),
    "瓜子": Food("西瓜子", "炒货食品", ("五香", "奶油", "原味"), ("250g/袋", "500g/袋"),
               "西瓜子、食用盐、八角、桂皮", ("", "甜蜜素"), "GB 19300", ("6个月",),
               (("西瓜子", "山西夏县"), ("八角", "广西玉林"), ("桂皮", "广西玉林"))),
    "枣": Food("红枣", "水果制品", ("枣夹核桃", "红枣片", "板枣"), ("250g/袋", "500g/盒"),
              "红枣、核桃仁", ("",), "GB 14884", ("6个月", "12个月"),
              (("红枣", "山西稷山"), ("核桃仁", "山西平陆"))),
    "苹果脆": Food("苹果脆片", "水果制品", ("原味", "酸甜", "肉桂"), ("50g/袋", "200g/袋"),
                "苹果", ("",), "GB 14884", ("12个月",), (("苹果", "山西平陆"),)),
    "挂面": Food("手工挂面", "粮食加工品", ("原味", "鸡蛋", "杂粮"), ("1kg/把", "2.5kg/箱"),
               "小麦粉、水、食用盐", ("",), "GB/T 40636", ("12个月",),
               (("小麦粉", "山西新绛"), ("食用盐", "山西运城"), ("鸡蛋", "山西新绛"))),
    "枣糕": Food("枣糕", "糕点", ("原味", "红糖", "核桃"), ("400g/盒",), "小麦粉、红枣、鸡蛋、白砂糖",
               ("", "山梨酸钾"), "GB 7099", ("30天",),
               (("小麦粉", "山西临猗"), ("红枣", "山西临猗"), ("鸡蛋", "山西临猗"))),
    "核桃饼": Food("核桃饼", "糕点", ("原味", "椒盐"), ("300g/袋",), "小麦粉、核桃仁、白砂糖、食用植物油",
                ("", "碳酸氢钠"), "GB 7099", ("60天",),
                (("小麦粉", "山西垣曲"), ("核桃仁", "山西垣曲"), ("菜籽油", "山西运城"))),
}

# What a variant adds to (or swaps in) the base recipe, so the label matches the name.
VARIANT_ADDS = {
    "椒盐": "花椒粉", "蜂蜜": "蜂蜜", "红糖": "红糖", "海苔": "海苔", "黑芝麻": "黑芝麻", "花生": "花生仁",
    "核桃": "核桃仁", "枣泥": "枣泥", "豆沙": "红豆沙", "五仁": "瓜子仁", "冰糖": "冰糖", "鸡蛋": "鸡蛋",
    "杂粮": "荞麦粉", "葱香": "小葱", "微辣": "辣椒粉", "麻辣": "辣椒粉", "孜然": "孜然粉", "肉桂": "肉桂粉",
    "柿子醋": "柿子", "苹果醋": "苹果", "枣醋": "红枣",
}
VARIANT_SWAPS = {"马铃薯": ("红薯淀粉", "马铃薯淀粉")}
OILS = ("菜籽油", "大豆油")  # what 食用植物油 on a label is made of


def recipe(food: Food, variant: str) -> str:
    """The ingredients label of one variant: the base recipe plus what the variant adds."""
    words = food.ingredients.split("、")
    if variant in VARIANT_SWAPS:
        old, new = VARIANT_SWAPS[variant]
        words = [new if w == old else w for w in words]
    extra = VARIANT_ADDS.get(variant)
    if extra and extra not in words:
        words.append(extra)
    return "、".join(words)


def sourced_materials(food: Food, ingredients: str) -> list[tuple[str, str]]:
    """The food's raw materials that this label actually lists (白芝麻 counts for 芝麻)."""
    words = ingredients.split("、")
    return [(m, origin) for m, origin in food.materials
            if any(w in m for w in words) or (m in OILS and "食用植物油" in words)] or list(food.materials[:1])


# A workshop's trade: what it mostly makes; "<字号><word>（演示）" is its name.
WORKSHOP_TRADES = {
    "麻花": ("麻花作坊", ("麻花", "馍", "月饼"), "糕点、油炸食品"),
    "锅巴": ("锅巴坊", ("锅巴", "瓜子"), "膨化食品、炒货"),
    "麻片": ("麻片作坊", ("麻片", "芝麻糖"), "糖果、炒货"),
    "芝麻糖": ("芝麻糖坊", ("芝麻糖", "麻片"), "糖果"),
    "牛肉饼": ("牛肉饼作坊", ("牛肉饼", "馍"), "速冻面米制品、糕点"),
    "煮饼": ("煮饼作坊", ("煮饼", "月饼", "馍"), "糕点"),
    "油茶": ("油茶坊", ("油茶", "麻花"), "冲调谷物制品"),
    "粉条": ("粉条加工坊", ("粉条",), "淀粉制品"),
    "醋": ("醋坊", ("醋",), "调味品"),
    "月饼": ("糕点坊", ("月饼", "馍", "枣糕"), "糕点"),
    "豆腐干": ("豆制品坊", ("豆腐干",), "豆制品"),
    "山楂": ("山楂食品坊", ("山楂", "枣"), "蜜饯、水果制品"),
    "瓜子": ("炒货坊", ("瓜子", "锅巴"), "炒货"),
    "枣": ("红枣加工坊", ("枣", "山楂"), "水果制品"),
    "苹果脆": ("果品加工坊", ("苹果脆", "枣"), "水果制品"),
    "挂面": ("挂面坊", ("挂面", "粉条"), "粮食加工品"),
    "枣糕": ("糕点坊", ("枣糕", "馍", "月饼"), "糕点"),
    "花馍": ("花馍坊", ("馍", "枣糕"), "糕点"),
    "核桃饼": ("核桃饼作坊", ("核桃饼", "月饼"), "糕点"),
}
WORKSHOP_TRADE_ORDER = tuple(WORKSHOP_TRADES)

# Eateries and stalls: name word -> registered categories.
EATERIES = {
    "面馆": "热食类食品制售", "羊肉胡卜馆": "热食类食品制售", "饺子馆": "热食类食品制售",
    "凉皮店": "冷食类食品制售", "烧饼铺": "热食类食品制售、糕点类食品制售",
    "早餐店": "热食类食品制售、冷食类食品制售", "牛肉饼店": "热食类食品制售、糕点类食品制售",
    "家常菜馆": "热食类食品制售、冷食类食品制售",
}
EATERY_WORDS = tuple(EATERIES)
EATERY_FOODS = ("牛肉饼", "油茶", "馍")
STALLS = {
    "煎饼摊": "小吃", "凉皮摊点": "小吃、冷食", "烤红薯摊": "小吃", "炒货摊": "炒货",
    "油糕摊": "糕点、小吃", "水煎包摊": "小吃", "豆腐脑摊": "小吃、豆制品",
}
STALL_WORDS = tuple(STALLS)
STALL_FOODS = ("锅巴", "瓜子", "麻花")
BULK_SAMPLES = ("凉皮（自制）", "油条（自制）", "油糕（自制）", "馒头（自制）", "凉菜（自制）", "豆腐脑（自制）")

# Failed test items by food category: (item, limit, comparison, unit). Measured values are
# drawn beyond the limit; "不得检出" items get a small positive reading.
FAILED_ITEMS = {
    "糕点": (("过氧化值(以脂肪计)", 0.25, "≤", "g/100g"), ("酸价(以脂肪计)(KOH)", 5.0, "≤", "mg/g"),
           ("霉菌", 150, "≤", "CFU/g"), ("脱氢乙酸及其钠盐(以脱氢乙酸计)", 0.5, "≤", "g/kg"),
           ("铝的残留量(干样品,以Al计)", 100, "≤", "mg/kg")),
    "膨化食品": (("过氧化值(以脂肪计)", 0.25, "≤", "g/100g"), ("酸价(以脂肪计)(KOH)", 5.0, "≤", "mg/g")),
    "糖果": (("糖精钠(以糖精计)", None, "不得使用", "g/kg"), ("菌落总数", 10000, "≤", "CFU/g")),
    "速冻面米制品": (("过氧化值(以脂肪计)", 0.25, "≤", "g/100g"), ("铝的残留量(干样品,以Al计)", 100, "≤", "mg/kg")),
    "冲调谷物制品": (("菌落总数", 10000, "≤", "CFU/g"), ("大肠菌群", 10, "≤", "CFU/g")),
    "淀粉制品": (("铝的残留量(干样品,以Al计)", 200, "≤", "mg/kg"), ("二氧化硫残留量", 0.1, "≤", "g/kg")),
    "调味品": (("总酸(以乙酸计)", 3.5, "≥", "g/100mL"), ("苯甲酸及其钠盐(以苯甲酸计)", 1.0, "≤", "g/kg")),
    "豆制品": (("大肠菌群", 100, "≤", "CFU/g"), ("苯甲酸及其钠盐(以苯甲酸计)", None, "不得使用", "g/kg")),
    "蜜饯": (("二氧化硫残留量", 0.35, "≤", "g/kg"), ("糖精钠(以糖精计)", 1.0, "≤", "g/kg")),
    "炒货食品": (("甜蜜素(以环己基氨基磺酸计)", 1.0, "≤", "g/kg"), ("酸价(以脂肪计)(KOH)", 3.0, "≤", "mg/g")),
    "水果制品": (("二氧化硫残留量", 0.1, "≤", "g/kg"), ("霉菌", 50, "≤", "CFU/g")),
    "粮食加工品": (("铅(以Pb计)", 0.2, "≤", "mg/kg"),),
    "散装": (("铝的残留量(干样品,以Al计)", 100, "≤", "mg/kg"), ("大肠菌群", 10, "≤", "CFU/g"),
           ("苯甲酸及其钠盐(以苯甲酸计)", None, "不得使用", "g/kg")),
}

LABS = ("运城市综合检验检测中心（演示）", "山西晋南食品检测研究院（演示）", "河东食品质量检验站（演示）")
DISPOSALS = ("已责令停止生产销售，召回不合格产品，立案调查。",
             "已对生产者立案调查，责令整改，不合格产品已下架封存。",
             "生产者已主动召回并销毁不合格产品，监管部门跟踪复查合格。")

FINDINGS = ("从业人员健康证明过期", "原料进货查验记录不全", "生产场所防蝇防鼠设施不完善",
            "食品添加剂未专柜存放、未专人管理", "预包装食品标签未标注生产日期", "生产记录填写不规范",
            "原料与成品混放", "工作人员未穿戴工作衣帽", "冷藏设施温度记录缺失", "信息公示栏内容未及时更新",
            "废弃物存放容器未加盖", "消毒设施未正常使用")
REPLIES = ("已于检查后一周内完成整改，相关记录已补齐，欢迎监督。",
           "感谢监管部门指导，已更换健康证明过期人员岗位并组织体检。",
           "已购置防蝇帘和挡鼠板，并建立每日自查制度。",
           "对检查结论有异议，已提交情况说明，正在复核中。",
           "已设立添加剂专柜，由专人登记使用量。")
# (违法行为, 处罚内容, 处罚类别 as the 行政处罚法 names them: what 双公示 exports list).
VIOLATIONS = (
    ("生产经营超过保质期的食品", "警告，没收违法食品，罚款{fine}元", "警告；罚款；没收非法财物"),
    ("超范围、超限量使用食品添加剂", "没收违法所得，罚款{fine}元", "罚款；没收违法所得"),
    ("生产不符合食品安全标准的食品", "没收违法所得和违法食品，罚款{fine}元", "罚款；没收违法所得；没收非法财物"),
    ("未按规定进行进货查验", "警告，罚款{fine}元", "警告；罚款"),
    ("登记证有效期届满后继续生产", "责令停止生产，罚款{fine}元", "罚款"),
    ("从业人员未取得健康证明从事接触直接入口食品的工作", "警告，罚款{fine}元", "警告；罚款"),
)
RECALL_ADVICE = ("请立即停止食用，凭购买凭证或剩余产品到原购买处退货。",
                 "已购买的消费者请停止食用，联系生产者办理退换。",
                 "请停止食用并妥善保存，可拨打12315反映情况。")

# Supplier names by material: flour from a 粮油 shop, jujubes from a co-operative …
GRAIN_AND_OIL = ("小麦粉", "菜籽油", "大豆油", "大米", "小米", "高粱", "麸皮", "红薯淀粉", "马铃薯淀粉")
SEASONINGS = ("食用盐", "白砂糖", "麦芽糖", "酱油", "八角", "桂皮", "花椒", "花椒粉", "酵母", "蜂蜜")


def supplier_words(material: str) -> tuple[str, ...]:
    if material in GRAIN_AND_OIL:
        return ("粮油商行", "面粉厂", "粮油贸易有限公司")
    if material in SEASONINGS:
        return ("调味品批发部", "食品原料经营部")
    return ("农产品专业合作社", "果蔬种植合作社", "农副产品经营部")


class BrandSeed(NamedTuple):
    county: str    # region code
    trade: str     # key of WORKSHOP_TRADES; the brand's maker works in this trade
    name: str
    name_en: str
    program: str
    status: str
    heritage: str
    craft: str     # one sentence about the craft, used in the (fictional) story
    craft_en: str = ""  # the same in English (the story_en column)


# The bundled demo's brands, one per 20 operators, in this order. Every status appears;
# the four named in the issue (盐湖锅巴, 稷山麻花, 芮城麻片, 河津芝麻糖) come first.
BRAND_SEEDS = (
    BrandSeed("140824", "麻花", "稷山麻花", "Jishan Mahua (fried dough twist)", "名特优", "awarded", "省级",
              "面团经三次醒发、手工搓成细条再拧花，用菜籽油慢火炸透，酥脆不腻。",
              "The dough rests three times, is rolled by hand into thin strands, twisted and slowly fried in rapeseed oil: crisp, never greasy."),
    BrandSeed("140802", "锅巴", "盐湖锅巴", "Yanhu Guoba (crispy millet crackers)", "名特优", "awarded", "",
              "小米与大米按比例蒸熟压片，晾至半干再炸，撒上自配的五香料。",
              "Millet and rice are steamed, pressed into sheets, half dried and fried, then dusted with the house five-spice mix."),
    BrandSeed("140830", "麻片", "芮城麻片", "Ruicheng Sesame Brittle", "名特优", "publicized", "市级",
              "芝麻小火焙香，与熬到拉丝的麦芽糖拌匀，趁热擀成薄片切块。",
              "Sesame is toasted over a low fire, stirred into malt syrup boiled until it pulls threads, rolled thin while hot and cut."),
    BrandSeed("140882", "芝麻糖", "河津芝麻糖", "Hejin Sesame Candy", "老字号", "awarded", "市级",
              "麦芽糖反复拉白后裹上芝麻，冬季低温制作，入口酥松。",
              "Malt sugar is pulled again and again until white, then rolled in sesame; made in the cold of winter, it melts in the mouth."),
    BrandSeed("140881", "牛肉饼", "永济牛肉饼", "Yongji Beef Pie", "名特优", "awarded", "县级",
              "牛肉现剁成馅，配洋葱和花椒粉，薄皮多层，鏊子上两面烙黄。",
              "Fresh beef is chopped with onion and Sichuan pepper, wrapped in thin layered dough and griddled golden on both sides."),
    BrandSeed("140823", "煮饼", "闻喜煮饼", "Wenxi Zhubing (honey-glazed cakes)", "老字号", "awarded", "省级",
              "面团先煮后炸，再浸入蜂蜜糖浆，外裹芝麻，久放不硬。",
              "The dough is boiled, then fried, soaked in honey syrup and coated with sesame; it stays soft for weeks."),
    BrandSeed("140825", "挂面", "新绛手工挂面", "Xinjiang Hand-pulled Noodles", "出彩小作坊", "applied", "",
              "面条经和面、盘条、上杆、拉伸、晾晒多道工序，全程自然风干。",
              "The noodles are kneaded, coiled, hung on poles, stretched and dried in the open air, all by hand."),
    BrandSeed("140826", "山楂", "绛县山楂制品", "Jiang County Hawthorn Snacks", "名特优", "publicized", "",
              "选用本地山楂去核熬煮，只加白砂糖，不加色素。",
              "Local hawthorns are stoned and simmered with nothing but sugar: no colouring."),
    BrandSeed("140828", "瓜子", "夏县西瓜子", "Xia County Roasted Watermelon Seeds", "出彩小作坊", "revoked", "",
              "西瓜子用八角、桂皮煮透入味，再用铁锅翻炒至干。",
              "Watermelon seeds are simmered with star anise and cinnamon, then stir-roasted dry in an iron wok."),
    BrandSeed("140829", "苹果脆", "平陆苹果脆片", "Pinglu Apple Crisps", "出彩小作坊", "awarded", "",
              "苹果切片后低温真空脱水，不油炸、不加糖。",
              "Apples are sliced and dried under vacuum at a low temperature: not fried, no sugar added."),
    BrandSeed("140822", "花馍", "万荣花馍", "Wanrong Huamo (festive steamed buns)", "名特优", "awarded", "县级",
              "老面发酵，手工捏出花鸟造型，用红枣点缀，逢年过节蒸制。",
              "Sourdough is shaped by hand into flowers and birds, studded with red jujubes and steamed for festivals."),
    BrandSeed("140821", "枣糕", "临猗枣糕", "Linyi Jujube Cake", "出彩小作坊", "applied", "",
              "红枣去核打泥，与面粉、鸡蛋和匀后蒸烤两次。",
              "Stoned jujubes are puréed, mixed with flour and egg, then steamed and baked."),
    BrandSeed("140827", "核桃饼", "垣曲核桃饼", "Yuanqu Walnut Biscuits", "出彩小作坊", "publicized", "",
              "山地核桃现剥现碾，和入面团后压模烘烤。",
              "Mountain walnuts are shelled and crushed fresh, worked into the dough, pressed in moulds and baked."),
    BrandSeed("140802", "油茶", "盐湖油茶", "Yanhu Youcha (savoury flour tea)", "老字号", "revoked", "",
              "面粉炒至微黄，拌入芝麻、核桃和花椒，开水冲调即食。",
              "Flour is toasted pale gold with sesame, walnut and Sichuan pepper: add boiling water and drink."),
    BrandSeed("140824", "枣", "稷山红枣", "Jishan Red Jujube Snacks", "名特优", "awarded", "",
              "红枣晾晒后去核，夹入烘香的核桃仁。",
              "Sun-dried jujubes are stoned and filled with toasted walnut."),
    BrandSeed("140882", "醋", "河津柿子醋", "Hejin Persimmon Vinegar", "出彩小作坊", "publicized", "",
              "柿子自然发酵成醋，陶缸陈放一年以上。",
              "Persimmons ferment into vinegar on their own and age in clay jars for more than a year."),
)
