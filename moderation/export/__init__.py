"""Exports for print and archive: the column text, DOCX, CSV/JSON, the click ranking."""
