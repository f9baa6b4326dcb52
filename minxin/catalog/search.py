"""Text for finding services as people type them: Chinese word segmentation (rjieba), pinyin and pinyin
initials (pypinyin), synonyms, and the weights that rank a service for a query.

A document (a published item version) becomes a space-separated list of tokens in three fields: its name
(with the pinyin and initials of its words), its department, and its materials and conditions. A query
becomes groups of alternatives (a word and its synonyms); an item ranks by how many groups it matches,
where (name over department over materials), and its popularity."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import rjieba

# Words that say how people ask, not what for: 我要办/怎么办/需要什么材料…
STOP_WORDS = frozenset(
    [
        "我",
        "我要",
        "我想",
        "想",
        "要",
        "怎么",
        "怎样",
        "如何",
        "怎么办",
        "在哪",
        "在哪里",
        "哪里",
        "去哪",
        "去哪里",
        "哪儿",
        "的",
        "了",
        "吗",
        "呢",
        "啊",
        "需要",
        "什么",
        "哪些",
        "材料",
        "流程",
        "手续",
        "多久",
        "办",
        "办理",
        "去",
        "可以",
        "能",
        "能否",
        "是否",
        "需",
        "要求",
        "请问",
        "一下",
        "相关",
        "业务",
        "事项",
        "个人",
    ]
)
# Verbs people put before what they need: 办身份证, 补办身份证 → 身份证 (+ the verb's own synonyms).
PREFIXES = ("我要办理", "我要办", "怎么办理", "如何办理", "怎么办", "如何办", "办理", "申办", "办")
_SPLIT = re.compile(r"[\s,，。、；;:：!！?？()（）《》“”\"'/|·\-]+")
_LATIN = re.compile(r"^[a-z0-9]+$")


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, spaces squeezed."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in rjieba.cut_for_search(text) if w.strip() and not _SPLIT.fullmatch(w))


@lru_cache(maxsize=4096)
def _pinyin(word: str) -> tuple[str, str]:
    # Imported here: its phrase dictionary costs a process 57 MB, and only indexing needs it (a query's
    # typed pinyin is looked up in tables computed ahead: default_synonyms_pinyin, selectors).
    import pypinyin

    full = "".join(pypinyin.lazy_pinyin(word, errors="ignore"))
    initials = "".join(pypinyin.lazy_pinyin(word, style=pypinyin.Style.FIRST_LETTER, errors="ignore"))
    return full.lower(), initials.lower()


def words_of(text: str) -> list[str]:
    """The words of `text` for search (rjieba's search mode: 居民身份证 → 居民 身份 身份证 居民身份证)."""
    out: list[str] = []
    for part in _SPLIT.split(normalize(text)):
        if part:
            out.extend(_words(part))
    return out


def name_tokens(name: str) -> list[str]:
    """A name's words, each word's pinyin and initials, and the whole name's pinyin and initials (so
    "sfz" finds 身份证 and "jmsfz" finds 居民身份证…)."""
    tokens = words_of(name)
    compact = "".join(ch for ch in normalize(name) if not _SPLIT.match(ch))
    tokens.append(compact)
    for word in list(tokens):
        if not _LATIN.match(word):
            full, initials = _pinyin(word)
            tokens.extend(t for t in (full, initials) if t)
    full, initials = _pinyin(compact)
    tokens.extend(t for t in (full, initials) if t)
    return _unique(tokens)


def _unique(tokens: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for token in tokens:
        if token and token not in seen:
            seen[token] = None
    return list(seen)


@dataclass(frozen=True, slots=True)
class Document:
    """The segmented text of one item version, by field."""

    name: tuple[str, ...]
    department: tuple[str, ...]
    body: tuple[str, ...]

    def fields(self) -> tuple[_Field, _Field, _Field]:
        return _fields(self)

    def text(self) -> str:
        """One line per field, stored in ItemVersion.search_text (the SQLite search reads it back)."""
        return "\n".join(" ".join(field) for field in (self.name, self.department, self.body))

    @staticmethod
    def from_text(text: str) -> Document:
        return _from_text(text)


@lru_cache(maxsize=20_000)
def _from_text(text: str) -> Document:
    lines = [*text.split("\n"), "", "", ""][:3]
    name, department, body = (tuple(line.split()) for line in lines)
    return Document(name=name, department=department, body=body)


@dataclass(frozen=True, slots=True)
class _Field:
    """One field ready for matching: its tokens as a set (exact) and as one spaced string (prefix and
    part-of-word matches by C-speed substring search)."""

    weight: float
    tokens: frozenset[str]
    spaced: str

    def match(self, term: str) -> float:
        if term in self.tokens:
            return 1.0
        if len(term) < 2:
            return 0.0
        if _LATIN.match(term):
            return PREFIX_FACTOR if " " + term in self.spaced else 0.0
        return PREFIX_FACTOR if term in self.spaced else 0.0


@lru_cache(maxsize=20_000)
def _fields(doc: Document) -> tuple[_Field, _Field, _Field]:
    return (
        _Field(WEIGHTS["name"], frozenset(doc.name), " " + " ".join(doc.name)),
        _Field(WEIGHTS["department"], frozenset(doc.department), " " + " ".join(doc.department)),
        _Field(WEIGHTS["body"], frozenset(doc.body), " " + " ".join(doc.body)),
    )


def document(*, name: str, department: str, materials: Sequence[str], conditions: str) -> Document:
    body = words_of(" ".join(materials)) + words_of(conditions[:300])
    return Document(
        name=tuple(name_tokens(name)),
        department=tuple(_unique([*words_of(department), normalize(department).replace(" ", "")])),
        body=tuple(_unique(body)),
    )


COMPANY_WORDS = (
    "企业",
    "公司",
    "单位",
    "纳税人",
    "工商户",
    "经营",
    "机构",
    "社会团体",
    "项目",
    "场所",
    "发卡",
)
PERSON_WORDS = (
    "居民",
    "个人",
    "护照",
    "驾驶证",
    "婚",
    "出生",
    "户口",
    "身份证",
    "社会保障卡",
    "养老",
    "残疾",
)


def guess_audience(name: str, materials: Sequence[str]) -> str:
    """Who an item is for when its editor did not say: companies when its name or materials speak of
    one (营业执照), individuals when they speak of a person, both when both."""
    company = any(word in name for word in COMPANY_WORDS) or "营业执照" in materials
    person = any(word in name for word in PERSON_WORDS)
    return "both" if company and person else "company" if company else "person"


@dataclass(frozen=True, slots=True)
class Query:
    """A query as groups of alternatives: each group is one thing the citizen asked for."""

    text: str
    groups: tuple[tuple[str, ...], ...]

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def all_terms(self) -> list[str]:
        return _unique(term for group in self.groups for term in group)


def _strip_prefix(word: str) -> str:
    for prefix in PREFIXES:
        if word.startswith(prefix) and len(word) > len(prefix):
            return word[len(prefix) :]
    return word


@lru_cache(maxsize=8)
def pinyin_terms(terms: tuple[str, ...]) -> dict[str, str]:
    """Synonym terms by their full pinyin ("shebaoka" → 社保卡), so typed pinyin finds them too."""
    table: dict[str, str] = {}
    for term in terms:
        full, _initials = _pinyin(term)
        if full and len(full) > 3:
            table.setdefault(full, term)
    return table


def parse_query(
    text: str, synonyms: Mapping[str, Sequence[str]], spoken_terms: Mapping[str, str] | None = None
) -> Query:
    """Split what the citizen typed into groups: a synonym phrase found in the text is one group (the
    phrase and its catalog words); the rest is segmented, stop words dropped, each word with its synonyms.
    `spoken_terms` maps a synonym term's full pinyin to the term (computed from `synonyms` when absent)."""
    cleaned = normalize(text)[:100]
    groups: list[tuple[str, ...]] = []
    rest_parts: list[str] = []
    for part in _SPLIT.split(cleaned):
        part = _strip_prefix(part)
        if not part:
            continue
        # The longest synonym terms first, so 营业执照 wins over 执照.
        for term in sorted((t for t in synonyms if len(t) > 1 and t in part), key=len, reverse=True):
            if term in part:
                groups.append(tuple(_unique([term, *synonyms[term]])))
                part = part.replace(term, " ")
        rest_parts.append(part)
    for part in rest_parts:
        for chunk in part.split():
            words = rjieba.cut(chunk)
            for word in words:
                word = _strip_prefix(word.strip())
                if not word or word in STOP_WORDS or _SPLIT.fullmatch(word):
                    continue
                if len(word) == 1 and not _LATIN.match(word) and word not in synonyms and word != chunk:
                    continue  # a lone character of a longer phrase (不, 的) finds noise
                if spoken_terms is None and _LATIN.match(word):
                    spoken_terms = pinyin_terms(tuple(synonyms))
                spoken = spoken_terms.get(word) if spoken_terms is not None and _LATIN.match(word) else None
                extra = [spoken, *synonyms[spoken]] if spoken else []
                group = _unique([word, *synonyms.get(word, ()), *extra])
                if group not in [list(g) for g in groups]:
                    groups.append(tuple(group))
    return Query(text=cleaned, groups=tuple(tuple(g) for g in groups))


# Weights of a match by field; an exact token counts more than a prefix (pinyin typed in part).
WEIGHTS = {"name": 10.0, "department": 3.0, "body": 1.0}
PREFIX_FACTOR = 0.6


@dataclass(frozen=True, slots=True)
class Score:
    matched_groups: int
    relevance: float
    popularity: float
    in_name: bool = False
    weakest: float = 0.0

    @property
    def total(self) -> float:
        return self.matched_groups * 100 + self.relevance + self.popularity

    @property
    def found(self) -> bool:
        return self.matched_groups > 0


def score(query: Query, doc: Document, *, popularity: int = 0, name: str = "") -> Score:
    """How well `doc` answers `query`: the groups it matches (every group counts once, by its best
    field), the weighted matches, a bonus when the name contains the query as typed, and popularity
    (log-scaled, so it orders equals but never lifts a weaker match above a stronger one)."""
    matched = 0
    relevance = 0.0
    weakest = math.inf
    fields = doc.fields()
    for group in query.groups:
        best = 0.0
        for term in group:
            for field in fields:
                if field.weight > best:
                    best = max(best, field.weight * field.match(term))
        if best > 0:
            matched += 1
            relevance += best
            weakest = min(weakest, best)
    if matched and name and query.text and query.text in name:
        relevance += 20
    if matched and name:
        relevance += 5 / (1 + len(name) / 4)  # shorter names first among equals (居民身份证 before 临时…)
    return Score(
        matched_groups=matched,
        relevance=relevance,
        popularity=math.log1p(max(popularity, 0)),
        in_name=matched > 0 and weakest >= WEIGHTS["name"] * PREFIX_FACTOR,
        weakest=weakest if matched else 0.0,
    )


def _suffixes(tokens: Sequence[str]) -> list[str]:
    """Every ending (two characters or more) of the Chinese tokens: a prefix search over these finds a
    word inside a name (转移登记 in 机动车转移登记), which is what the Python scorer's part-of-word match
    does on SQLite."""
    out: list[str] = []
    for token in tokens:
        if _LATIN.match(token) or len(token) < 3:
            continue
        out.extend(token[i:] for i in range(1, len(token) - 1))
    return out


def vector_fields(doc: Document) -> tuple[str, str, str]:
    """The text of the weighted tsvector (PostgreSQL): each field's tokens plus their endings."""
    return (
        " ".join(_unique([*doc.name, *_suffixes(doc.name)])),
        " ".join(_unique([*doc.department, *_suffixes(doc.department)])),
        " ".join(doc.body),
    )
