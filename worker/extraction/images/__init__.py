"""Images: Pillow decoding with bomb guards and orientation (picture.py), OCR of every frame
(reader.py).
"""
