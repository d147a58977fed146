"""Office documents: OOXML packages opened safely (ooxml.py), Word/PowerPoint and Excel text;
legacy .doc/.xls/.ppt and RTF converted to OOXML by LibreOffice (legacy.py, libreoffice.py),
OLE2 detection and encryption checks (ole2.py); OpenDocument read from its XML
(opendocument.py).
"""
