"""The vocabulary's words are the only spelling of a status, kind or grade: the theme's templates
print them from vocabulary.py (never a literal that could drift: 已撤销 for a revoked licence
once did), and the editorial grading page names each grade and face as the vocabulary does."""
from __future__ import annotations

import re

from site_builder import vocabulary as v
from site_builder.site.render import TEMPLATES

#: Labels long enough not to be part of ordinary words (有效 is in 有效期; 一般 is a word).
LABELS = ({t.zh for terms in (v.OPERATOR_STATUS, v.PRODUCT_STATUS, v.BRAND_STATUS, v.RECALL_STATUS, v.KINDS,
                               v.NOT_OPERATING) for t in terms.values() if len(t.zh) >= 3}
          | {v.NOT_GRADED.zh, v.GRADE_VOID.zh, v.RECALLED.zh})
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def test_templates_spell_no_label_of_their_own():
    found = []
    for path in sorted(TEMPLATES.glob("*")):
        text = JINJA.sub("", path.read_text(encoding="utf-8"))
        found += [(path.name, label) for label in sorted(LABELS) if label in text]
    assert found == []


def test_the_grading_page_names_each_grade_and_face_as_the_vocabulary_does(repo_root):
    page = (repo_root / "content" / "pages" / "grading.md").read_text(encoding="utf-8")
    rows = {g: (word, face) for g, word, face in re.findall(r"^\| ([ABC]) 级 (\S+) \| (\S+) \|", page, re.M)}
    assert rows == {g: (t.zh, v.FACES[g]) for g, t in v.GRADES.items()}
    assert v.NOT_GRADED.zh in page and "吊销" in page and "撤销" not in page
