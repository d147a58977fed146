"""OCR: the one Tesseract caller (tesseract.py), how one pass is read (reading.py), the page plan
and re-reads (page.py, unread.py).
"""
