"""PDF: the one poppler caller (poppler.py), the per-page text layer and its quality gate
(text_layer.py), OCR of pages that need it (reader.py).
"""
