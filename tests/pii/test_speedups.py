"""The analyzer's shortcuts change no result: numpy's matrix product labels every word as blis
does, and a text without letters is only tokenised, yet its numbers are still masked."""

from __future__ import annotations

import spacy

from core.pii import matmul
from core.pii.config import PiiConfig
from core.pii.engine import Analyzer
from tests.pii.conftest import MODEL

SENTENCES = [
    "Hi, I'm Sven Olsen from the Oslo office, call me on +47 22 33 44 55.",
    "What is the capital of France? My colleague Paris asked.",
    "Please send the invoice to Maria Gonzalez, 14 Rue de Rivoli, Paris.",
    "We install Java 21 on the Jenkins box before Florence arrives on Monday.",
    "jordan said the flight to Jordan was cancelled, ask Dr. Amelia Watson",
    "Ticket from Kenji Watanabe: the IBAN DE89 3704 0044 0532 0130 00 bounced twice.",
    "who wrote Hamlet? was it Shakespeare or Christopher Marlowe",
    "Reply to ann.smith@example.com by Friday, cc Tom O'Neil and Jean-Luc Picard.",
]


def labels(nlp: spacy.Language, texts: list[str]) -> list[list[tuple[str, str, str]]]:
    return [[(t.text, t.tag_, t.ent_type_) for t in nlp(text)] for text in texts]


def test_numpy_matrix_product_labels_every_word_as_blis_does():
    nlp = spacy.load(MODEL, exclude=["parser", "lemmatizer", "attribute_ruler"])
    with_blis = labels(nlp, SENTENCES)
    matmul.use_numpy_matmul(nlp)
    assert labels(nlp, SENTENCES) == with_blis
    assert any(ent for sentence in with_blis for _w, _t, ent in sentence)  # the NER model did run


def test_text_without_letters_is_masked_without_the_language_model(analyzer: Analyzer, monkeypatch):
    pipeline = analyzer._nlp.nlp["en"]  # type: ignore[index]
    runs = []
    monkeypatch.setattr(type(pipeline), "__call__", lambda self, *a, **k: runs.append(a) or None)
    monkeypatch.setattr(type(pipeline), "pipe", lambda self, *a, **k: runs.append(a) or iter(()))
    text = "+44 20 7946 0958 / 4111 1111 1111 1111 / 192.168.10.4"
    spans = analyzer.analyze_many([(text, PiiConfig()), ("1234 5678", PiiConfig())])
    found = {(s.type, text[s.start : s.end]) for s in spans[0]}
    assert found == {
        ("PHONE_NUMBER", "+44 20 7946 0958"),
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("IP_ADDRESS", "192.168.10.4"),
    }
    assert runs == []


def test_one_message_and_a_batch_find_the_same(analyzer: Analyzer):
    config = PiiConfig()
    alone = [analyzer.analyze_many([(text, config)])[0] for text in SENTENCES]
    assert analyzer.analyze_many([(text, config) for text in SENTENCES]) == alone
    assert all(alone[:3])
