"""Placing a row on a registered business: codes first, then a name the address agrees with,
inside the registry's region; anything doubtful is not placed, with the candidates."""
from __future__ import annotations

from site_builder.importers.matching import Directory, normalise_name, product_for

REGIONS = [{"code": "140000", "name": "山西省", "level": "province"}, {"code": "140800", "name": "运城市", "level": "city"},
           {"code": "140824", "name": "稷山县", "level": "county"}, {"code": "140881", "name": "永济市", "level": "county"}]
OPS = [
    {"id": "w1", "name": "张记麻花坊（演示）", "address": "运城市稷山县稷峰镇工业路1号", "credit_code": "92140824MA0000001X",
     "licence_no": "晋小作坊登字1408240001"},
    {"id": "w2", "name": "张记麻花坊（演示）", "address": "运城市永济市开张镇解放路3号", "credit_code": "", "licence_no": "L2"},
    {"id": "e3", "name": "李家面馆有限公司", "address": "运城市稷山县西街8号", "credit_code": "", "licence_no": "L3"},
]


def test_codes_then_name_and_address():
    d = Directory(OPS, REGIONS)
    assert (d.place("别的名字", "", "92140824ma0000001x").operator_id, d.place("", "", "", "晋小作坊登字 1408240001").method) == \
        ("w1", "licence_no")
    m = d.place("张记麻花坊（演示）", "山西省运城市稷山县稷峰镇工业路1号")
    assert (m.operator_id, m.method) == ("w1", "name+address")
    m = d.place("稷山县李家面馆", "稷山县西街8号院")
    assert (m.operator_id, m.method) == ("e3", "normalised_name+address")


def test_doubt_is_not_placed():
    d = Directory(OPS, REGIONS)
    m = d.place("张记麻花坊（演示）")
    assert (m.operator_id, m.reason_code, m.candidates) == (None, "ambiguous", ["w1", "w2"])
    m = d.place("李家面馆有限公司", "运城市稷山县东街99号")
    assert (m.operator_id, m.reason_code, m.candidates) == (None, "address-differs", ["e3"])
    m = d.place("李家面馆有限公司", "河南省郑州市某路1号")
    assert (m.operator_id, m.reason_code) == (None, "out-of-region")
    m = d.place("李家面馆分店")
    assert (m.operator_id, m.reason_code) == (None, "no-match") and m.candidates == ["e3"]


def test_normalised_names_and_products():
    places = ("山西省", "运城市", "稷山县")
    assert normalise_name("山西省运城市稷山县李家面馆有限公司", places) == normalise_name("李家面馆", places) == "李家面"
    assert normalise_name("ＡＢＣ 食品（稷山）店") == "abc食品稷山"
    products = [{"code": "p1", "name": "稷山麻花（原味）"}, {"code": "p2", "name": "稷山麻花（芝麻）"}, {"code": "p3", "name": "稷山月饼"}]
    assert product_for(products, "麻花(原味)", ("稷山县",)) == "p1"
    assert product_for(products, "麻花", ("稷山县",)) is None  # two 麻花: no guess
    assert product_for(products, "枣糕", ("稷山县",)) is None
    assert product_for(products, "稷山月饼", ("稷山县",)) == "p3"
