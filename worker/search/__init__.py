"""The search index: its design (mapping.py), administration (admin.py), the bulk sink (sink.py),
the client (client.py) and the text that is embedded.
"""
