"""PII protection: reversible masking before anything leaves the core, restore by permission.

Importing this package loads nothing heavy; presidio lives in `core.pii.engine` only.
"""
