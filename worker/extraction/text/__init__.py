"""Plain text, CSV, Markdown and HTML: encoding detection (encoding.py) and reading (reader.py)."""
