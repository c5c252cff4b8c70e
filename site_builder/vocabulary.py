"""The one vocabulary: what every coded value is called, in Chinese and in English.

The site, the posters and label sheets, the search results, Datasette and the handbook all
read their labels here, so that one status never has two names (a revoked 登记证 is 吊销 — an
administrative penalty — on every page, poster and download, never 撤销; a brand's designation,
which is withdrawn rather than punished, is 撤销). `tests/test_vocabulary.py` holds the schema's
enum descriptions to these words.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Term:
    """A coded value's label: Chinese first; English for tourists and journalists; `note` says
    what it means where the word alone is not enough (the handbook prints it)."""

    zh: str
    en: str
    note: str = ""

    def __str__(self) -> str:
        return self.zh

    @property
    def both(self) -> str:
        return f"{self.zh} {self.en}"


KINDS = {
    "workshop": Term("食品小作坊", "Food workshop", "小规模加工食品的作坊，持食品小作坊登记证。"),
    "eatery": Term("小餐饮", "Small eatery", "小餐馆、小吃店等，持小餐饮登记证（或备案）。"),
    "stall": Term("食品摊点", "Food stall", "固定或流动的食品摊贩，持摊点登记卡。"),
}

OPERATOR_STATUS = {
    "active": Term("有效", "Valid", "登记证在有效期内，可以生产经营。"),
    "suspended": Term("暂停生产经营", "Suspended", "被责令暂停或主动暂停，暂停期间不得生产经营。"),
    "revoked": Term("已吊销", "Revoked", "登记证被市场监管部门作为行政处罚吊销，不得再生产经营。"),
    "expired": Term("已过期", "Expired", "登记证有效期已满且未延续，换证前不得生产经营。"),
}

PRODUCT_STATUS = {
    "active": Term("在产", "In production", "作坊目前在生产这一产品。"),
    "discontinued": Term("已停产", "Discontinued", "作坊不再生产，市面上可能还有未过保质期的产品。"),
    "withdrawn": Term("已撤市", "Withdrawn", "产品已撤出市场，请勿购买或食用。"),
}

BRAND_STATUS = {
    "applied": Term("已申报", "Applied", "已提交认定申请，尚在评审。"),
    "publicized": Term("公示中", "Under public notice", "评审通过，正在公示，公众可在公示期内提出异议。"),
    "awarded": Term("已认定", "Awarded", "公示期满无异议，已正式认定。"),
    "revoked": Term("已撤销", "Revoked", "认定被撤销（如抽检不合格、受到处罚或不再符合条件）。"),
}

RECALL_STATUS = {
    "ongoing": Term("进行中", "Ongoing", "召回尚未结束：持有该批次产品的请停止食用。"),
    "closed": Term("已结束", "Closed", "召回已完成。"),
}

RECALL_LEVELS = {
    "一级": Term("一级", "Level I", "食用后已经或可能导致严重健康损害甚至死亡。"),
    "二级": Term("二级", "Level II", "食用后已经或可能导致一般健康损害。"),
    "三级": Term("三级", "Level III", "标签、标识等不符合食品安全标准，一般不会造成健康损害。"),
}

GRADES = {
    "A": Term("优秀", "Excellent", "大笑"),
    "B": Term("良好", "Good", "微笑"),
    "C": Term("一般", "Fair", "平脸"),
}
#: The smiley of each grade (量化分级 faces), as posters and pages name them.
FACES = {grade: term.note for grade, term in GRADES.items()}
#: What each grade says about a business (the /grades/ page and the handbook).
GRADE_MEANINGS = {
    "A": "检查中未发现问题或问题轻微并当场改正，食品安全管理规范。",
    "B": "存在一般性问题，已在规定时间内整改。",
    "C": "问题较多或整改不及时，需加强监管。",
}

REGION_LEVELS = {
    "province": Term("省级", "Province"),
    "city": Term("地级", "Prefecture"),
    "county": Term("县级", "County", "县、县级市或市辖区。"),
}

INSPECTION_KINDS = {
    "日常": Term("日常检查", "Routine inspection"),
    "双随机": Term("双随机一公开抽查", "Random inspection"),
    "飞行": Term("飞行检查", "Unannounced inspection"),
    "专项": Term("专项检查", "Targeted inspection"),
}

INSPECTION_RESULTS = {
    "符合": Term("符合", "Compliant"),
    "基本符合": Term("基本符合", "Mostly compliant"),
    "不符合": Term("不符合", "Non-compliant"),
}

SAMPLING_RESULTS = {
    "合格": Term("合格", "Pass"),
    "不合格": Term("不合格", "Fail"),
}

PROGRAMS = {
    "名特优": Term("名特优", "Famous, special and quality product"),
    "老字号": Term("老字号", "Time-honoured brand"),
    "出彩小作坊": Term("出彩小作坊", "Model workshop"),
}

HERITAGE = {
    "国家级": Term("国家级非遗", "National intangible heritage"),
    "省级": Term("省级非遗", "Provincial intangible heritage"),
    "市级": Term("市级非遗", "City intangible heritage"),
    "县级": Term("县级非遗", "County intangible heritage"),
}

#: The food categories of 食品生产许可分类 a small workshop may make, in English for tourists.
#: The registry writes a category as free text (products.category, brands.category): one this
#: table does not know is shown in Chinese only (`food_category`).
FOOD_CATEGORIES = {
    "粮食加工品": Term("粮食加工品", "Grain products"),
    "食用油": Term("食用油", "Edible oil"),
    "调味品": Term("调味品", "Condiments and vinegar"),
    "肉制品": Term("肉制品", "Meat products"),
    "饮料": Term("饮料", "Beverages"),
    "方便食品": Term("方便食品", "Convenience food"),
    "饼干": Term("饼干", "Biscuits"),
    "速冻面米制品": Term("速冻面米制品", "Frozen dumplings and pies"),
    "膨化食品": Term("膨化食品", "Puffed snacks"),
    "糖果": Term("糖果", "Candy"),
    "茶叶": Term("茶叶", "Tea"),
    "酒类": Term("酒类", "Liquor"),
    "蔬菜制品": Term("蔬菜制品", "Vegetable products"),
    "水果制品": Term("水果制品", "Dried fruit"),
    "炒货食品": Term("炒货食品", "Roasted seeds and nuts"),
    "蛋制品": Term("蛋制品", "Egg products"),
    "食糖": Term("食糖", "Sugar"),
    "水产制品": Term("水产制品", "Seafood products"),
    "淀粉制品": Term("淀粉制品", "Starch noodles"),
    "糕点": Term("糕点", "Pastries"),
    "豆制品": Term("豆制品", "Tofu and soy products"),
    "蜂产品": Term("蜂产品", "Honey"),
    "蜜饯": Term("蜜饯", "Candied fruit"),
    "冲调谷物制品": Term("冲调谷物制品", "Instant cereal drinks"),
}


def food_category(name: str | None) -> Term:
    """A food category's label: its English beside it when the vocabulary knows it, else
    the registry's own words only (en empty)."""
    return FOOD_CATEGORIES.get(name or "") or Term(name or "", "")


METRICS = {
    "graded_share": Term("量化分级覆盖率", "Graded share", "%"),
    "a_share": Term("A 级占比", "Share graded A", "%"),
    "sampling_coverage": Term("抽检覆盖率", "Sampling coverage", "%"),
    "sampling_pass_rate": Term("抽检合格率", "Sampling pass rate", "%"),
    "brands_awarded": Term("名特优认定数", "Specialty brands awarded", "个"),
}

ZONE_KINDS = {
    "park": Term("生产园区", "Production park", "食品小作坊集聚生产的园区。"),
    "processing_area": Term("集中加工区", "Centralised processing area", "小作坊集中加工、统一管理的区域。"),
    "model_street": Term("示范街区", "Model food street", "小餐饮规范经营的示范街区。"),
    "stall_area": Term("食品摊点规范经营区", "Regulated stall area", "食品摊点定点、定时规范经营的区域。"),
}
#: A zone whose registry gives no kind (a parks table from before kinds existed).
ZONE_UNSPECIFIED = Term("园区", "Zone")

CHECK_RESULTS = {
    # the same words as an inspection's overall result (INSPECTION_RESULTS), in English too
    "符合": Term("符合", "Compliant"),
    "不符合": Term("不符合", "Non-compliant"),
    "不适用": Term("不适用", "Not applicable", "这一项与该主体无关，不计入比例。"),
}
#: How a checklist result is marked on a page (with the word beside it, never the mark alone).
CHECK_MARKS = {"符合": "✓", "不符合": "✗", "不适用": "—"}

#: The 信息公开栏's yes/no facts, in the order the business page and the poster list them.
BOARD_FACTS = {
    "licence_posted": Term("亮证经营", "Licence displayed"),
    "commitment_posted": Term("食品安全承诺", "Safety commitment posted"),
    "remote_video": Term("远程视频监管", "Remote video supervision"),
    "open_kitchen": Term("明厨亮灶", "Open kitchen"),
}
YES, NO = Term("是", "Yes"), Term("否", "No")

ACTIVITY_KINDS = {
    "association": Term("产业协会活动", "Industry association activity"),
    "training": Term("培训", "Training"),
    "publicity": Term("宣传", "Public outreach"),
}

#: Every metric a programme target may name: the five region figures and the programmes' own.
#: Each is computed by one named query (site_builder/database/metrics.py); `note` is its unit.
PROGRAMME_METRICS = {
    **METRICS,
    "registration_rate": Term("登记率", "Registration rate", "%"),
    "file_rate": Term("建档率", "Share with a checklist file", "%"),
    "inspection_coverage": Term("检查覆盖率", "Inspection coverage", "%"),
    "disposal_rate": Term("不合格食品后处理率", "Failed food followed up", "%"),
    "licensed_rate": Term("持证经营率", "Operating with a valid licence", "%"),
    "model_units": Term("示范单位数", "Model workshops awarded", "个"),
    "upgrades": Term("新升级为食品生产企业数", "Workshops upgraded to licensed producers", "家"),
    "video_pilots": Term("视频监管试点数", "Businesses under video supervision", "家"),
    "association_events": Term("产业协会活动次数", "Industry association activities", "次"),
    "closures": Term("取缔黑作坊数", "Unlicensed workshops closed", "家"),
    "model_streets": Term("示范街区数", "Model food streets", "个"),
    "processing_areas": Term("集中加工区数", "Parks and processing areas", "个"),
}

#: Where a programme target stands on the release date.
TARGET_STATUS = {
    "met": Term("已达标", "Met"),
    "open": Term("进行中", "In progress", "尚未达标，完成期限未到。"),
    "missed": Term("逾期未达标", "Missed", "完成期限已过，未达标。"),
    "no_data": Term("无数据", "No data", "没有可计算的对象（如期内没有不合格抽检）。"),
}

#: table -> column -> the terms of its coded values (Datasette, the handbook, the site).
CODED = {
    "regions": {"level": REGION_LEVELS},
    "operators": {"kind": KINDS, "status": OPERATOR_STATUS},
    "products": {"status": PRODUCT_STATUS},
    "inspections": {"kind": INSPECTION_KINDS, "result": INSPECTION_RESULTS},
    "grades": {"grade": GRADES},
    "samplings": {"result": SAMPLING_RESULTS},
    "recalls": {"level": RECALL_LEVELS, "status": RECALL_STATUS},
    "brands": {"program": PROGRAMS, "status": BRAND_STATUS, "heritage": HERITAGE},
    "targets": {"metric": METRICS},
    "parks": {"kind": ZONE_KINDS},
    "checklist_use": {"kind": KINDS},
    "inspection_items": {"result": CHECK_RESULTS},
    "closures": {"kind": KINDS},
    "activities": {"kind": ACTIVITY_KINDS},
    "programme_targets": {"kind": KINDS, "metric": PROGRAMME_METRICS},
}

NOT_GRADED = Term("未评级", "Not graded")

#: What Datasette, the downloads' README and registry.db's `_about` table call the database.
DATABASE_TITLE = Term("食品“三小”登记数据库", "Registry of small food businesses")

#: Why a business may not operate on the release date (standing.py): the verdict, a void grade
#: and the poster say it so. A lapsed licence whose status still says "active" is "expired".
NOT_OPERATING = {
    "suspended": Term("已暂停生产经营", "Suspended", OPERATOR_STATUS["suspended"].note),
    "revoked": Term("登记证已吊销", "Licence revoked", OPERATOR_STATUS["revoked"].note),
    "expired": Term("登记证已过期", "Licence expired", OPERATOR_STATUS["expired"].note),
}
NOT_OPERATING_GROUP = Term("暂停、吊销或过期", "Not operating")
#: A grade is current only while its business may operate; otherwise it is void (no smiley).
GRADE_VOID = Term("等级已失效", "Grade void", "主体不在有效经营状态（登记证吊销、过期或暂停生产经营）时，原有的量化分级等级不再有效，网站、公示牌和标签不显示笑脸。")

#: A product under an ongoing recall: its status chip, its search result.
RECALLED = Term("召回中", "Recalled")

#: The verdict line that opens every /p/ and /w/ page ("can I trust this today?"), and its parts.
VERDICTS = {
    "recall": Term("召回中：请停止食用", "Recalled: stop eating it"),
    "business-recall": Term("有产品正在召回", "A product is being recalled"),
    "withdrawn": Term("已撤市：请勿购买或食用", "Withdrawn from sale: do not buy or eat it"),
    "maker": Term("生产者", "Maker: "),
    "may-not-operate": Term("不得生产经营", "may not operate"),
    "failed": Term("最近一次抽检不合格", "Failed its latest test"),
    "registered": Term("登记有效", "Registered"),
    "no-recall": Term("无召回", "no recall"),
    "passed": Term("最近抽检合格", "last test passed"),
    "untested": Term("暂无抽检记录", "not tested yet"),
    # a workshop that became a licensed producer (提档升级) and let its workshop licence lapse
    "upgraded": Term("已升级为食品生产企业，食品生产许可证", "Upgraded to a licensed food producer, licence"),
}

#: Said on every page, poster, label sheet and download built from demonstration data.
DEMO_NOTICE = Term("演示数据：本站所有主体、产品、召回均为虚构", "Demonstration data: all businesses are fictional")
DEMO_NOTICE_PRINT = Term("演示数据：内容均为虚构，仅用于演示，请勿用于真实产品。", "DEMONSTRATION DATA – fictional, do not use.")


def label(table: str, column: str, code) -> str:
    """The Chinese label of a coded value (the code itself when it has none)."""
    term = CODED.get(table, {}).get(column, {}).get(code)
    return term.zh if term else ("" if code is None else str(code))


def zh_date(value: date | str | None) -> str:
    """2026年3月5日 — how every page, poster and message writes a date."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value.year}年{value.month}月{value.day}日"
