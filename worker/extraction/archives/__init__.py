"""Archives (zip, tar): members become child documents, under limits counted on the bytes actually
inflated.
"""
