"""`cis-worker process` on containers: an archive's members and a mail's attachments are
written as documents of their own (with thumbnails), and summary.json and the table count
them — the CLI run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.archive_files import japanese_mail, write_zip
from tests.fixtures.pdfs import born_digital

CIS_WORKER = Path(sys.executable).parent / "cis-worker"


def test_process_writes_children_like_any_document(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    pdf = born_digital(tmp_path / "見積書.pdf", pages=1).read_bytes()
    write_zip(folder / "見積.zip", {"2024/見積書.pdf": pdf, "メモ.txt": "来週送付".encode()},
              cp932=True)
    mail = japanese_mail({"請求書.pdf": (pdf, "application/pdf")})
    (folder / "依頼.eml").write_bytes(mail.as_bytes())
    out = tmp_path / "out"
    done = subprocess.run([str(CIS_WORKER), "process", str(folder), "--out", str(out),
                           "--jobs", "2"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert (summary["totals"]["files"], summary["totals"]["children"]) == (2, 3)
    assert summary["counts"] == {"complete": 5, "partial": 0, "failed": 0}
    documents = {doc["container_path"] if "container_path" in doc else doc["file_name"]: doc
                 for doc in (json.loads(p.read_text("utf-8"))
                             for p in (out / "documents").glob("*.json"))}
    assert sorted(documents) == ["依頼.eml", "依頼.eml/請求書.pdf", "見積.zip",
                                 "見積.zip/2024/見積書.pdf", "見積.zip/メモ.txt"]
    child = documents["見積.zip/2024/見積書.pdf"]
    assert child["parent_id"] == documents["見積.zip"]["id"]
    assert child["id"] in documents["見積.zip"]["children"]
    assert (out / child["thumbnail"]).is_file()  # same thumbnail as a top-level PDF
    assert documents["依頼.eml"]["subject"] == "【見積依頼】第3四半期の部材について"
    assert "見積.zip/2024/見積書.pdf" in done.stdout  # a row per child in the table
    assert "2 files (+3 inside them): 5 complete" in done.stdout
