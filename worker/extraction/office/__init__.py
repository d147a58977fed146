"""Office documents: OOXML packages opened safely (ooxml.py), Word/PowerPoint and Excel text, OLE2
(legacy Office) detection.
"""
