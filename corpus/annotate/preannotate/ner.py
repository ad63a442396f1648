"""Silver CoNLL-4 entities from a spaCy pipeline (``ner`` extra plus an installed spaCy model).

OntoNotes labels are mapped with :data:`corpus.labels.ONTONOTES_TO_CONLL` (DATE, MONEY, ... dropped);
pipelines that already speak CoNLL (``PER``/``ORG``/``LOC``/``MISC``) are taken as they are. Each
block is processed on its own, so every span lies inside one block; spans are trimmed of whitespace
and never overlap. Only content blocks (:data:`ENTITY_BLOCK_LABELS`: title, byline, body, caption,
as the annotation guidelines annotate them) are processed: menus and footers get no entities.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.errors import ConfigError, MissingDependencyError
from corpus.labels import CONLL4, ONTONOTES_TO_CONLL, VIEWS
from corpus.limits import MAX_ENTITIES, NER_MAX_CHARS
from corpus.model import Block, Entity

#: Model packages tried, in order, when ``ner="auto"`` or ``True`` names no model.
PREFERRED_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg")
#: Block labels whose text gets silver entities (the ``article`` view).
ENTITY_BLOCK_LABELS: frozenset[str] = VIEWS["article"]
_KEEP_PIPES = frozenset({"tok2vec", "transformer", "ner", "entity_ruler"})


@dataclass(frozen=True)
class NerModel:
    """A loaded pipeline and its provenance string."""

    nlp: object
    name: str
    lang: str
    tool: str


def _spacy():
    try:
        import spacy
    except ImportError:
        return None
    return spacy


@functools.lru_cache(maxsize=1)
def installed_models() -> tuple[str, ...]:
    """spaCy model packages installed in this environment (preferred English ones first; looked up once)."""
    spacy = _spacy()
    if spacy is None:
        return ()
    try:
        found = list(spacy.util.get_installed_models())
    except Exception:  # a broken package's metadata must not break pre-annotation
        found = []
    ordered = [m for m in PREFERRED_MODELS if m in found]
    ordered += sorted(m for m in found if m not in ordered)
    return tuple(ordered)


@functools.lru_cache(maxsize=4)
def load_model(name: str) -> NerModel:
    """Load a spaCy pipeline by package name or path (cached); only the pipes NER needs run."""
    spacy = _spacy()
    if spacy is None:
        raise MissingDependencyError("spacy", "ner", "silver named-entity pre-annotation")
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ConfigError(f"spaCy model {name!r} is not installed ({exc})", reason="missing_model") from exc
    if "ner" not in nlp.pipe_names:
        raise ConfigError(f"spaCy model {name!r} has no 'ner' component", reason="missing_model")
    for pipe in list(nlp.pipe_names):
        if pipe not in _KEEP_PIPES:
            nlp.disable_pipe(pipe)
    meta = nlp.meta or {}
    model_name = f"{meta.get('lang', '')}_{meta.get('name', '')}".strip("_") or name
    tool = f"spacy-{spacy.__version__}+{model_name}-{meta.get('version', 'unknown')}"
    return NerModel(nlp, name, nlp.lang, tool)


def resolve_model(ner: bool | str, language: str | None) -> NerModel | None:
    """The pipeline ``ner`` asks for, or ``None`` when NER is off / not possible.

    ``False``: off. ``"auto"``: the first installed model whose language matches the document's
    (nothing when spaCy, a model, or the document's language is missing). ``True``: like auto but a
    missing spaCy or model is an error. Any other string names the model to load (an error when
    missing); it runs unless the document is known to be in another language.
    """
    if ner is False:
        return None
    primary = language.split("-")[0].lower() if language else None
    if isinstance(ner, str) and ner != "auto":
        model = load_model(ner)
        return model if primary is None or model.lang == primary else None
    names = installed_models()
    if not names:
        if ner is True:
            if _spacy() is None:
                raise MissingDependencyError("spacy", "ner", "silver named-entity pre-annotation")
            raise ConfigError("no spaCy model is installed for named-entity pre-annotation",
                              reason="missing_model")
        return None
    if primary is None:
        return None
    for name in names:
        lang = name.split("_", 1)[0]
        if lang in (primary, "xx"):
            try:
                return load_model(name)
            except ConfigError:
                if ner is True:
                    raise
    return None


def _conll(label: str) -> str | None:
    if label in CONLL4:
        return label
    if label == "PERSON" or label in ONTONOTES_TO_CONLL:
        return ONTONOTES_TO_CONLL.get(label)
    return {"PRS": "PER", "PERS": "PER", "GPE_LOC": "LOC", "GPE_ORG": "ORG", "EVT": "MISC", "PROD": "MISC",
            "DRV": None}.get(label)


def find_entities(text: str, blocks: Sequence[Block], model: NerModel,
                  labels: frozenset[str] = ENTITY_BLOCK_LABELS) -> tuple[Entity, ...]:
    """CoNLL-4 entities over ``text``, one model call per block labelled one of ``labels``.

    Blocks past ``NER_MAX_CHARS`` characters of processed text are skipped.
    """
    budget = NER_MAX_CHARS
    chosen: list[Block] = []
    for b in blocks:
        if b.label not in labels:
            continue
        size = b.end - b.start
        if size > budget:
            break
        budget -= size
        chosen.append(b)
    out: list[Entity] = []
    docs = model.nlp.pipe(text[b.start : b.end] for b in chosen)
    for block, sdoc in zip(chosen, docs, strict=True):
        last_end = block.start
        for ent in sdoc.ents:
            label = _conll(ent.label_)
            if label is None:
                continue
            start, end = block.start + ent.start_char, block.start + ent.end_char
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start >= end or start < last_end or end > block.end:
                continue
            out.append(Entity(start, end, label, text[start:end]))
            last_end = end
            if len(out) >= MAX_ENTITIES:
                return tuple(out)
    return tuple(out)
