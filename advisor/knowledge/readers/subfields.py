"""The AI-safety subfield map (knowledge/subfields.yaml, a curated file) as a document with one
`## ` section per subfield.

Each section is headed by the subfield's name and the card it belongs to, so a passage cites
both the map and the card; the body restates the entry's fields in words.
"""

from __future__ import annotations

from advisor.knowledge.documents import Document, FileInfo, Reader, SourceError

SUBFIELD_MAP = "subfields.yaml"
SUBFIELD_MAP_TITLE = "AI-safety subfield map"
_FIELDS = (
    ("Branch of the landscape", "branch"),
    ("Core problems", "core_problems"),
    ("Methods", "methods"),
    ("An entry project", "entry_project"),
    ("Where people gather", "gathers"),
)


def _join(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value or "").strip()


def open_subfield_map(info: FileInfo, fallback_title: str | None = None) -> Document:
    import yaml

    try:
        data = yaml.safe_load(info.path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SourceError(f"cannot read the subfield map: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, list):
        raise SourceError("the subfield map is not a list of subfields")
    lines: list[str] = []
    for entry in data:
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        card = str(entry.get("card") or "").strip()
        lines.append(f"## {entry['name']}" + (f" (card: {card})" if card else ""))
        lines.append("")
        parts = [_join(entry.get("summary"))]
        for label, key in _FIELDS:
            if entry.get(key):
                value = _join(entry[key]).rstrip(".")
                parts.append(f"{label}: {value}.")
        lines.append(" ".join(p for p in parts if p))
        lines.append("")
    if not lines:
        raise SourceError("the subfield map has no subfields")
    size = max(1, info.size)
    n = len(lines)
    return Document(
        title=SUBFIELD_MAP_TITLE,
        topics=["landscape", "subfields"],
        card_kind="subfield",
        meta={"title": SUBFIELD_MAP_TITLE},
        unit="line",
        lines=[(i + 1, text, size * (i + 1) // n) for i, text in enumerate(lines)],
    )


READER = Reader(
    name="subfield-map", suffixes=(".yaml", ".yml"), open=open_subfield_map, markdown=True, notes=False
)
