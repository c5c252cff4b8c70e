"""The one line that opens every /p/ and /w/ page: can I trust this today?

A shopper scanning a QR code should not have to assemble "registered, not recalled, last test
passed" from four sections. The verdict is the most serious thing that is true today, in this
order: an ongoing recall (and what to do), a product withdrawn from sale, a licence the business
may not operate under (revoked, suspended or expired, and since when), a failed latest test (and
its disposal), else "登记有效 · 无召回 · 最近抽检合格 <date>". Its words come from the vocabulary.

A workshop that upgraded to a licensed food producer (提档升级) lets its workshop licence lapse
because it now holds an SC licence: its lapsed licence is no reason to stop buying, so its
verdict says it upgraded and names the SC licence (a revocation or suspension still comes first).
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import vocabulary
from ..registry.standing import Standing
from ..vocabulary import VERDICTS, zh_date

#: kind -> its tone (the colours and icon of site.css and the page's macro).
TONES = {"recall": "bad", "withdrawn": "bad", "licence": "bad", "upgraded": "ok", "failed": "warn", "ok": "ok"}


@dataclass(frozen=True)
class Verdict:
    kind: str        # recall, withdrawn, licence, upgraded, failed, ok
    zh: str
    en: str
    detail: str = ""  # what to do, in Chinese (a recall's advice, a failed test's disposal)

    @property
    def tone(self) -> str:
        return TONES[self.kind]


def _joined(*terms) -> tuple[str, str]:
    return " · ".join(t.zh for t in terms), " · ".join(t.en for t in terms)


def _failed_or_ok(sampling: dict | None, prefix=()) -> Verdict:
    if sampling is not None and sampling.get("result") == "不合格":
        day = sampling.get("sampled_on")
        return Verdict("failed", f"{VERDICTS['failed'].zh}（{zh_date(day)}）", f"{VERDICTS['failed'].en} ({day})",
                       sampling.get("disposal") or "")
    zh, en = _joined(*prefix, VERDICTS["registered"], VERDICTS["no-recall"])
    if sampling is None:
        return Verdict("ok", f"{zh} · {VERDICTS['untested'].zh}", f"{en} · {VERDICTS['untested'].en}")
    day = sampling.get("sampled_on")
    return Verdict("ok", f"{zh} · {VERDICTS['passed'].zh} {zh_date(day)}", f"{en} · {VERDICTS['passed'].en} {day}")


def _licence(standing: Standing, maker: bool) -> Verdict:
    who_zh, who_en = (VERDICTS["maker"].zh, VERDICTS["maker"].en) if maker else ("", "")
    may_not = VERDICTS["may-not-operate"]
    return Verdict("licence", f"{who_zh}{standing.zh}，{may_not.zh}", f"{who_en}{standing.en}: {may_not.en}")


def _upgraded(upgrade: dict | None, standing: Standing, maker: bool) -> Verdict | None:
    """The upgrade, when it is why the workshop licence lapsed (None otherwise)."""
    if upgrade is None or standing.status != "expired":
        return None
    who_zh, who_en = (VERDICTS["maker"].zh, VERDICTS["maker"].en) if maker else ("", "")
    term, sc = VERDICTS["upgraded"], upgrade.get("sc_licence_no") or ""
    return Verdict("upgraded", f"{who_zh}{term.zh} {sc}".rstrip(), f"{who_en}{term.en} {sc}".rstrip())


def for_product(product: dict, recall: dict | None, standing: Standing | None, samplings: list[dict],
                upgrade: dict | None = None) -> Verdict:
    """The verdict on a product's page; `samplings` newest first, `standing` its maker's (None
    when the maker is unknown), `upgrade` its maker's upgrade to a licensed producer if any."""
    if recall is not None:
        return Verdict("recall", VERDICTS["recall"].zh, VERDICTS["recall"].en, recall.get("advice") or "")
    if product.get("status") == "withdrawn":
        return Verdict("withdrawn", VERDICTS["withdrawn"].zh, VERDICTS["withdrawn"].en)
    if standing is not None and not standing.operating:
        return _upgraded(upgrade, standing, maker=True) or _licence(standing, maker=True)
    prefix = (vocabulary.PRODUCT_STATUS["discontinued"],) if product.get("status") == "discontinued" else ()
    return _failed_or_ok(samplings[0] if samplings else None, prefix)


def for_business(recalls: list[dict], standing: Standing, samplings: list[dict], upgrade: dict | None = None) -> Verdict:
    """The verdict on a business's page; `recalls` its ongoing ones, `samplings` newest first,
    `upgrade` its upgrade to a licensed producer if any."""
    if recalls:
        names = "、".join(dict.fromkeys(r.get("product_name") or r.get("title") or "" for r in recalls))
        term = VERDICTS["business-recall"]
        return Verdict("recall", f"{term.zh}：{names}", term.en, recalls[0].get("advice") or "")
    if not standing.operating:
        return _upgraded(upgrade, standing, maker=False) or _licence(standing, maker=False)
    return _failed_or_ok(samplings[0] if samplings else None)
