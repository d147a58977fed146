"""The OCR evaluation set, as code: generated pages of many classes, read by cis-worker and by
raw Tesseract in the same run, scored per class (`make eval`, `python -m bench.eval`).

Case modules live in bench/eval/cases/: each exposes
`make_cases(out_dir: Path, seed: int) -> list[tuple[str, Path, str]]` (class name, a PDF or
image file, the reference text). Seeds from render.HELD_OUT_SEED on are the held-out split:
other pages, and fonts never used while the OCR rules were chosen; it is reported apart.
"""
