"""The one caller of LibreOffice: legacy binary Office files and RTF converted to OOXML.

Word/Excel/PowerPoint 97-2003 (.doc/.xls/.ppt) and RTF are old, intricate formats; the
reader the product trusts for them is LibreOffice's (decades of import filters, Japanese
code pages included). It runs headless as a separate process that converts the file to
docx/xlsx/pptx, and the OOXML readers of this package do the rest, so every format yields
the same pages (docs/office-engines.md has the measurements behind this choice).

Containment of untrusted input, as far as a converter process allows:
- its own process tree (programs.py), killed whole when it runs past `timeout_s`;
- an address-space limit (`prlimit --as`), so a hostile file costs that conversion only;
- a private profile per worker process under TMPDIR (the container root is read-only),
  made before the first run with macros disabled and link updates off; HOME and TMPDIR point
  into it; a minimal environment whose proxy variables lead nowhere (no network fetches);
- the input is a copy with a fixed name in a private folder (names are never options).
Failures become our exceptions: timeout, crash or no output is a permanent error of the
file (retrying the same bytes cannot help); a missing soffice is a MissingProgramError.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from pathlib import Path

from worker.errors import CorruptFileError, MissingProgramError
from worker.extraction.programs import INSTALL_HINT, ProgramTimedOut, run_program

# kind -> (OOXML kind, export filter). The input filter is found by LibreOffice by content.
TARGETS: dict[str, tuple[str, str]] = {
    "doc": ("docx", "docx:MS Word 2007 XML"),
    "rtf": ("docx", "docx:MS Word 2007 XML"),
    "xls": ("xlsx", "xlsx:Calc MS Excel 2007 XML"),
    "ppt": ("pptx", "pptx:Impress MS PowerPoint 2007 XML"),
}
MEMORY_LIMIT_BYTES = 3 * 1024 * 1024 * 1024  # address space of the converter
_DEAD_PROXY = "http://127.0.0.1:9"  # the discard port: any fetch fails at once
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update">
 <prop oor:name="Link" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update">
 <prop oor:name="Link" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">
 <prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""
_lock = threading.Lock()  # one conversion at a time per profile (per process)


def _profile_dir() -> Path:
    """This process's LibreOffice profile (~0.6 MB), made once with the safe settings and
    removed when the process exits normally."""
    profile = Path(tempfile.gettempdir()) / f"cis-libreoffice-{os.getpid()}"
    settings = profile / "user" / "registrymodifications.xcu"
    if not settings.exists():
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(_PROFILE_SETTINGS, encoding="utf-8")
        atexit.register(shutil.rmtree, profile, ignore_errors=True)
    return profile


def _environment(profile: Path, workdir: Path) -> dict[str, str]:
    """On top of programs.child_environment (which gives the PATH and nothing else)."""
    return {"HOME": str(profile),
            "TMPDIR": str(workdir), "LANG": "C.UTF-8", "SAL_USE_VCLPLUGIN": "svp",
            "http_proxy": _DEAD_PROXY, "https_proxy": _DEAD_PROXY, "ftp_proxy": _DEAD_PROXY,
            "HTTP_PROXY": _DEAD_PROXY, "HTTPS_PROXY": _DEAD_PROXY, "no_proxy": ""}


def command(source: Path, out_dir: Path, export_filter: str, profile: Path) -> list[str]:
    return ["prlimit", f"--as={MEMORY_LIMIT_BYTES}", "--",
            "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
            "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
            "--convert-to", export_filter, "--outdir", str(out_dir), str(source)]


def convert_to_ooxml(path: Path, kind: str, workdir: Path, timeout_s: float) -> Path:
    """The file at `path` (a `kind` of TARGETS) as an OOXML file inside `workdir`."""
    for program in ("soffice", "prlimit"):
        if shutil.which(program) is None:
            raise MissingProgramError(f"{program} is not installed ({INSTALL_HINT})")
    target_kind, export_filter = TARGETS[kind]
    source = workdir / f"source.{kind}"
    shutil.copyfile(path, source)
    out_dir = workdir / "out"
    out_dir.mkdir()
    with _lock:
        profile = _profile_dir()
        try:
            finished = run_program(command(source, out_dir, export_filter, profile),
                                   timeout_s=timeout_s, env=_environment(profile, workdir))
        except ProgramTimedOut as exc:
            raise CorruptFileError(f"LibreOffice ran longer than {exc.timeout_s:g} s on the "
                                   "file and was stopped") from None
    result = out_dir / f"source.{target_kind}"
    if finished.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
        raise CorruptFileError(f"LibreOffice could not read the file ({finished.error_text})")
    return result
