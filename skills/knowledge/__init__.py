"""Answers from your documents, with sources (docs/knowledge.md).

List `"skills.knowledge"` in a bot definition for `/ask`, `/kb search` and the `knowledge`
skill (a fallback that answers free text from the documents); point `[knowledge] sources` at
folders of Markdown, HTML or plain text."""

from skills.knowledge.skill import ask, kb, knowledge

__all__ = ["ask", "kb", "knowledge"]
