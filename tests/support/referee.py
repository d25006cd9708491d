"""The keepalived binaries the comparison tests run: the distribution's (``keepalived`` on PATH) and
the newest release, built from the shared sources by ``referee/build.sh``.

kagen must agree with both, its target version telling them apart, so each test that compares
with keepalived runs once per binary, with that binary's own release as the target version.

Where the newest release comes from, in this order:

1. ``$KAGEN_REFEREE``, the binary's path (``.ci/run`` builds it and sets it);
2. the binary ``build.sh`` already built in its default place (an earlier ``.ci/run`` or
   ``build.sh`` with no argument), so that a plain ``pytest`` after a CI run uses it;
3. nothing: the tests say how to build it. They do not build it themselves: ``build.sh`` installs
   packages with apt-get and compiles for a minute, which a test run should not do unasked.

Without the shared directory (``$KAGEN_SHARED`` or ``../shared``) the newest release's tests skip,
in CI too, as the corpus tests do; with it, a binary that cannot be had is a failure in CI
(``CI=true``) and a skip elsewhere.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kagen.keepalived.keywords import format_version
from support import lab
from support.helpers import REPO


@dataclass(frozen=True)
class Keepalived:
    """One keepalived to compare with: ``label`` names the tests (``keepalived-2.4.3``); ``problem``
    says why it cannot run here, ``fatal`` whether that fails CI rather than skipping."""

    label: str
    path: str | None
    problem: str | None = None
    fatal: bool = True


def build_script() -> Path | None:
    """``referee/build.sh`` in the shared directory, found as ``helpers.shared_dir`` finds the
    corpus: $KAGEN_SHARED, then ../shared beside the repository."""
    for candidate in filter(None, (os.environ.get("KAGEN_SHARED"), str(REPO.parent / "shared"))):
        script = Path(candidate) / "referee" / "build.sh"
        if script.is_file():
            return script
    return None


def _source_version(script: Path) -> str | None:
    """The release the shared tarball holds (``keepalived-2.4.3.tar.gz``), the newest if several,
    as build.sh picks it."""
    found = [re.fullmatch(r"keepalived-(\d+(?:\.\d+)+)\.tar\.gz", path.name) for path in script.parent.iterdir()]
    versions = sorted((tuple(map(int, m.group(1).split("."))) for m in found if m), reverse=True)
    return format_version(versions[0]) if versions else None


def _labelled(path: str, label: str) -> Keepalived:
    """The binary at ``path``, named by the release its --version gives (``label`` if it gives none)."""
    try:
        return Keepalived(f"keepalived-{format_version(lab.version_of(path))}", path)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        return Keepalived(label, None, f"{path} --version failed: {exc}")


def distribution() -> Keepalived:
    """The keepalived on PATH: the release the machine's users run (2.2.7 on Debian 12)."""
    path = shutil.which("keepalived")
    if path is None:
        return Keepalived("keepalived", None, "'keepalived' is not installed")
    return _labelled(path, "keepalived")


def newest() -> Keepalived:
    """The newest release, from where the module docstring says; its label comes from the binary
    or, when there is none yet, from the shared tarball's name, so test ids do not change."""
    configured = os.environ.get("KAGEN_REFEREE")
    script = build_script()
    version = _source_version(script) if script is not None else None
    label = f"keepalived-{version}" if version else "keepalived-referee"
    if configured:
        if not os.access(configured, os.X_OK) or not Path(configured).is_file():
            return Keepalived(label, None, f"KAGEN_REFEREE={configured} is not an executable file")
        return _labelled(configured, label)
    if script is None:
        where = "$KAGEN_SHARED/referee/build.sh or ../shared/referee/build.sh"
        return Keepalived(label, None, f"shared referee not found ({where})", fatal=False)
    if version is None:
        return Keepalived(label, None, f"no keepalived-*.tar.gz beside {script}")
    # build.sh's default PREFIX (see its usage line): where `build.sh` with no argument puts it.
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    built = cache / "kagen-referee" / f"keepalived-{version}" / "sbin" / "keepalived"
    if built.is_file() and os.access(built, os.X_OK):
        return _labelled(str(built), label)
    return Keepalived(
        label,
        None,
        f"keepalived {version} is not built: export KAGEN_REFEREE=$({script}) (as root, about a minute; "
        ".ci/run does it)",
    )


def binaries() -> list[Keepalived]:
    """The distribution's keepalived and the newest release, in that order."""
    return [distribution(), newest()]
