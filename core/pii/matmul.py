"""Faster matrix products for the spaCy pipeline, with the same labels.

The `blis` wheel that thinc uses selects its generic (unvectorised) kernels on x86-64
(`BLIS_ARCH_DEBUG=1` prints "selecting sub-configuration 'generic'"): the small products of the
tagger's and the NER model's embedding layers (about 25 x 288 by 288 x 288 per message) then take
about twice as long as with numpy's OpenBLAS. thinc's own switch (`NumpyOps(use_blis=False)`)
sends them to numpy; the labels stay the same (checked over the benchmark corpus). The NER
model's transition step keeps its own small blis calls.
"""

from __future__ import annotations

from spacy.language import Language
from thinc.api import NumpyOps


def use_numpy_matmul(nlp: Language) -> None:
    """Point every layer of every pipe of `nlp` at numpy's matrix product."""
    ops = NumpyOps(use_blis=False)
    for _name, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        for node in model.walk() if model is not None else ():
            node.ops = ops
