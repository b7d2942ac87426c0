"""Reading an HTML error report back (standard library ``html.parser``), and the counts it must show.

Shared by the report tests: the page as rendered by ``scoring.html`` and the DOM as Chromium
dumps it are read the same way.
"""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser
from typing import Any

# The marks and rows of a report: class prefix per layer (m-: entity marks, f-: figure rows,
# s-: stance rows) and the kinds of each, as the CSS classes spell them.
ENTITY_CLASSES = ("m-correct", "m-wrong-type", "m-partial", "m-missed", "m-spurious", "m-ignored")
FIGURE_CLASSES = ("f-matched", "f-missed", "f-spurious", "f-ignored")
STANCE_CLASSES = ("s-correct", "s-wrong-label", "s-missed", "s-spurious")
ITEM_CLASSES = ENTITY_CLASSES + FIGURE_CLASSES + STANCE_CLASSES
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """What the tests look at: every element's tag and attributes, the items of each class (the
    distinct ``data-item`` values), the ``<title>`` text, the text of the article boxes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.items: dict[str, set[str]] = defaultdict(set)
        self.title = ""
        self.texts: list[str] = []  # the text of each <div class="text">, tags (<sup>) left out
        self.data: list[str] = []  # every text node
        self._stack: list[str] = []
        self._text_depth: int | None = None
        self._sup_depth: int | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        classes = (attributes.get("class") or "").split()
        item = attributes.get("data-item")
        if item is not None:
            for name in classes:
                if name in ITEM_CLASSES:
                    self.items[name].add(item)
        if tag in VOID:
            return
        self._stack.append(tag)
        if tag == "div" and "text" in classes and self._text_depth is None:
            self._text_depth = len(self._stack)
            self.texts.append("")
        if tag == "sup" and self._sup_depth is None:
            self._sup_depth = len(self._stack)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self._stack:
            return
        depth = len(self._stack)
        self._stack.pop()
        if self._sup_depth == depth:
            self._sup_depth = None
        if self._text_depth == depth:
            self._text_depth = None

    def handle_data(self, data: str) -> None:
        self.data.append(data)
        if self._stack and self._stack[-1] == "title":
            self.title += data
        if self._text_depth is not None and self._sup_depth is None:
            self.texts[-1] += data

    def count(self, name: str, prefix: str = "") -> int:
        """The number of distinct items of class ``name`` whose id starts with ``prefix``."""
        return sum(item.startswith(prefix) for item in self.items[name])


def expected_totals(result: dict[str, Any]) -> dict[str, dict[str, int]]:
    """The number of items of each outcome kind, from a JSON result, by the relations documented in
    ``nkru_bench/scoring/matching.py``."""
    out: dict[str, dict[str, int]] = {}
    if "entities" in result:
        e = result["entities"]
        strict, exact = e["strict"]["counts"], e["exact"]["counts"]
        out["entities"] = {
            "correct": strict["correct"],
            "wrong_type": exact["correct"] - strict["correct"],
            "partial": e["partial"]["counts"]["partial"],
            "missed": strict["missed"],
            "spurious": strict["spurious"],
            "ignored": e["ignored_in_boilerplate"],
        }
    if "figures" in result:
        f = result["figures"]["value_unit"]["counts"]
        out["figures"] = {
            "matched": f["correct"],
            "missed": f["gold"] - f["found"],
            "spurious": f["predicted"] - f["correct"],
            "ignored": result["figures"]["ignored_in_boilerplate"],
        }
    if "stance" in result:
        t, p = result["stance"]["tuple"]["counts"], result["stance"]["pair"]["counts"]
        out["stance"] = {
            "correct": t["correct"],
            "wrong_label": p["correct"] - t["correct"],
            "missed": p["gold"] - p["found"],
            "spurious": p["predicted"] - p["correct"],
        }
    return out


def expected_classes(result: dict[str, Any]) -> dict[str, int]:
    """The number of distinct marked items of each CSS class that the report of ``result`` shows."""
    prefixes = {"entities": "m-", "figures": "f-", "stance": "s-"}
    return {
        prefixes[task] + kind.replace("_", "-"): n
        for task, kinds in expected_totals(result).items()
        for kind, n in kinds.items()
    }


def found_classes(page: Page, prefix: str = "") -> dict[str, int]:
    return {name: page.count(name, prefix) for name in ITEM_CLASSES}
