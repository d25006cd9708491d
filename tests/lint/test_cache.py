"""The lint cache (kagen.lint.cache): a cached run prints exactly what a ``--no-cache`` run prints,
whatever changed in between (a file, an included file, a new file an include matches, the
settings, the inventory), and whatever happened to the cache (damaged, foreign, planted,
read-only, shared by concurrent runs); warm runs read no configuration, and a changed file is the
only one parsed again."""

from __future__ import annotations

import os
import pickle
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kagen import cli
from kagen.keepalived import parse as parse_module
from support.helpers import REPO, require

PAIR = REPO / "examples" / "web-pair"


@pytest.fixture
def site(tmp_path: Path, monkeypatch) -> Path:
    """A repository: a pair (one of them reading conf.d/*.conf), its inventory and settings."""
    root = tmp_path / "site"
    (root / "conf.d").mkdir(parents=True)
    for name in ("inventory.yaml", "web-b.conf"):
        shutil.copy(PAIR / name, root / name)
    text = (PAIR / "web-a.conf").read_text()
    (root / "web-a.conf").write_text(text.replace("global_defs {", "include conf.d/*.conf\n\nglobal_defs {", 1))
    (root / "conf.d" / "script.conf").write_text("vrrp_script chk_extra {\n    script /bin/true\n}\n")
    (root / ".kagen.toml").write_text('inventory = "inventory.yaml"\n')
    monkeypatch.chdir(root)
    monkeypatch.delenv("KAGEN_CACHE_DIR")
    return root


def lint(capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main(["lint", "--config-id", "x", *args])
    out, err = capsys.readouterr()
    return status, out, err


def same(capsys, *args: str) -> tuple[int, str, str]:
    """A cached run's result, checked against a --no-cache run of the same."""
    cached = lint(capsys, *args)
    assert cached == lint(capsys, "--no-cache", *args)
    return cached


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The files kagen parses from now on."""
    seen: list[str] = []
    real = parse_module.parse_file

    def counting(path, *args, **kwargs):
        seen.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(parse_module, "parse_file", counting)
    return seen


def test_cached_runs_print_what_uncached_runs_print(site: Path, capsys, parses: list[str]):
    cold = same(capsys, ".")
    assert cold[:2] == (0, "All checks passed (3 files).\n")  # the pair and its inventory
    assert (site / ".kagen_cache" / ".gitignore").read_text() == "# made by kagen\n*\n"
    parses.clear()
    assert lint(capsys, ".") == cold  # replayed: nothing parsed
    assert parses == []
    for variant in (["--format", "json"], ["--statistics"], ["-q", "."], ["--select", "KA5", "."]):
        same(capsys, *variant)


def test_every_change_is_seen(site: Path, capsys, parses: list[str]):
    same(capsys, ".")
    a = site / "web-a.conf"
    a.write_text(a.read_text().replace("priority 150", "priority 100"))  # same size, at once
    parses.clear()
    changed = lint(capsys, ".")
    assert parses == ["web-a.conf"]  # the others come from the cache
    assert changed == lint(capsys, "--no-cache", ".") and "KA504" in changed[1]
    (site / "conf.d" / "script.conf").write_text("vrrp_script chk_extra {\n    script /bin/truee\n}\n")
    same(capsys, ".")
    (site / "conf.d" / "more.conf").write_text("vrrp_script chk_more {\n    interval 0\n}\n")  # a new match
    assert "conf.d/more.conf" in same(capsys, ".")[1]
    (site / ".kagen.toml").write_text('inventory = "inventory.yaml"\nignore = ["KA504"]\n')
    assert "KA504" not in same(capsys, ".")[1]
    inventory = site / "inventory.yaml"
    inventory.write_text(inventory.read_text().replace("192.168.0.11", "192.168.0.13"))
    assert "KA425" in same(capsys, ".")[1]
    assert "KA2" not in same(capsys, "--target-version", "2.0.20", ".")[1].replace("KA20", "")
    (site / "web-b.conf").unlink()
    same(capsys, ".")


def test_fixes_offered_from_cached_files(site: Path, capsys, parses: list[str]):
    """The fixes a text report offers are worked out on the cached configurations' nodes."""
    (site / ".kagen.toml").write_text("")
    (site / "other.conf").write_text(
        "vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 52\n    priority 100\n"
        "    unicast_src_ip 192.168.0.21\n    unicast_peer {\n        192.168.0.22\n    }\n"
        "    virtual_ipaddress {\n        192.168.0.200/24\n    }\n}\n"
    )
    cold = same(capsys, "other.conf", "web-b.conf")
    assert "KA108" in cold[1] and "1 fixable with kagen lint --fix" in cold[1]
    (site / "web-b.conf").write_text((site / "web-b.conf").read_text() + "\n")
    parses.clear()
    assert lint(capsys, "other.conf", "web-b.conf") == cold
    assert parses == ["web-b.conf"]


def test_a_damaged_cache_is_rebuilt(site: Path, capsys):
    cold = same(capsys, ".")
    entries = [
        path for path in (site / ".kagen_cache").rglob("*") if path.is_file() and path.parent.name != ".kagen_cache"
    ]
    assert entries
    for index, path in enumerate(entries):
        data = path.read_bytes()
        path.write_bytes([b"", data[: len(data) // 2], b"junk" * 10, data[:-1] + b"x"][index % 4])
    assert lint(capsys, ".") == cold
    assert lint(capsys, ".") == cold


def test_a_planted_entry_is_never_unpickled(site: Path, capsys, tmp_path: Path):
    """A .kagen_cache that came with a repository is not trusted: unpickling would run its code."""
    cold = same(capsys, ".")
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    for path in (site / ".kagen_cache").rglob("*"):
        if path.is_file() and path.parent.name != ".kagen_cache":
            path.write_bytes(b"kagen-c1" + bytes(32) + pickle.dumps(Payload()))
    key = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "kagen" / "cache.key"
    assert key.stat().st_mode & 0o077 == 0
    assert lint(capsys, ".") == cold
    assert not marker.exists()


def test_fifos_and_links_in_the_cache_do_not_hang_or_leak(site: Path, capsys, tmp_path: Path):
    cold = same(capsys, ".")
    for path in list((site / ".kagen_cache").rglob("*")):
        if path.is_file() and path.parent.name != ".kagen_cache":
            path.unlink()
            if "index" in path.name:
                os.mkfifo(path)
            else:
                path.symlink_to("/dev/zero")
    assert lint(capsys, ".") == cold
    assert lint(capsys, ".") == cold


def test_a_linked_cache_is_not_followed(site: Path, capsys, tmp_path: Path):
    """A .kagen_cache (or its version directory) that is a link, as a repository may bring one,
    would send kagen's writes and pruning elsewhere: such a cache is not used."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (site / ".kagen_cache").symlink_to(elsewhere)
    same(capsys, ".")
    assert list(elsewhere.iterdir()) == []
    (site / ".kagen_cache").unlink()
    same(capsys, ".")
    (version,) = [path for path in (site / ".kagen_cache").iterdir() if path.is_dir()]
    shutil.rmtree(version)
    version.symlink_to(elsewhere)
    same(capsys, ".")
    assert list(elsewhere.iterdir()) == []
    same(capsys, "--cache-dir", str(site / ".kagen_cache"), ".")  # named: the directory may be a link
    assert list(elsewhere.iterdir()) == []  # its version directory may not


def test_private_and_beside_the_settings(site: Path, capsys):
    (site / "sub").mkdir()
    shutil.copy(site / "web-b.conf", site / "sub" / "b.conf")
    os.chdir(site / "sub")
    same(capsys, ".")
    cache = site / ".kagen_cache"
    assert cache.is_dir() and not (site / "sub" / ".kagen_cache").exists()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in cache.rglob("*") if p.parent != cache)


def test_no_cache_and_cache_dir(site: Path, capsys, tmp_path: Path):
    lint(capsys, "--no-cache", ".")
    assert not (site / ".kagen_cache").exists()
    elsewhere = tmp_path / "elsewhere"
    same(capsys, "--cache-dir", str(elsewhere), ".")
    assert (elsewhere / "CACHEDIR.TAG").is_file() and not (site / ".kagen_cache").exists()
    unusable = site / "web-b.conf" / "cache"  # under a file: cannot be made
    assert lint(capsys, "--cache-dir", str(unusable), ".") == lint(capsys, "--no-cache", ".")


def test_clean(site: Path, capsys):
    same(capsys, ".")
    assert cli.main(["clean"]) == 0
    assert (
        capsys.readouterr().err == f"kagen: removed {os.path.join('.', '.kagen_cache')}\n".replace("./", f"{site}/")
        or not (site / ".kagen_cache").exists()
    )
    assert not (site / ".kagen_cache").exists()
    assert cli.main(["clean", "-q"]) == 0 and capsys.readouterr() == ("", "")
    (site / "notes").mkdir()
    (site / "notes" / "keep.txt").write_text("mine")
    assert cli.main(["clean", "--cache-dir", "notes"]) == 2
    assert capsys.readouterr().err == "kagen: error: notes has no kagen CACHEDIR.TAG: not removed\n"
    assert (site / "notes" / "keep.txt").exists()


def _kagen(*args: str, cwd: Path) -> subprocess.Popen:
    command = [sys.executable, "-I", "-m", "kagen", "lint", "--config-id", "x", *args]
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def test_concurrent_runs_share_one_cache(site: Path):
    expected = _result(_kagen("--no-cache", ".", cwd=site))
    for _ in range(2):
        runs = [_kagen(".", cwd=site) for _ in range(4)]
        assert [_result(run) for run in runs] == [expected] * 4
        (site / "web-b.conf").write_text((site / "web-b.conf").read_text() + "\n")
        expected = _result(_kagen("--no-cache", ".", cwd=site))


def _read_only(directory: Path) -> str | None:
    """Make ``directory`` a read-only bind mount of itself; why not, if it cannot be."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return "making a read-only mount needs root and mount(8)"
    for command in (
        ["mount", "--bind", str(directory), str(directory)],
        ["mount", "-o", "remount,ro,bind", str(directory)],
    ):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return f"{' '.join(command)}: {done.stderr.strip()}"
    return None


def test_a_cache_it_cannot_write(site: Path, capsys):
    cache = site / ".kagen_cache"
    same(capsys, ".")
    require(_read_only(cache))
    try:
        (site / "web-b.conf").write_text((site / "web-b.conf").read_text().replace("priority 100", "priority 150"))
        assert "KA504" in same(capsys, ".")[1]
        assert "KA504" in same(capsys, ".")[1]
    finally:
        subprocess.run(["umount", str(cache)], check=True)


def test_old_entries_are_pruned(site: Path, capsys, monkeypatch):
    from kagen.lint import cache

    monkeypatch.setattr(cache, "RUNS_KEPT", 2)
    monkeypatch.setattr(cache, "PACKS_MAX", 2)  # the third run gathers the live entries in its pack
    monkeypatch.setattr(cache, "PRUNE_AFTER", -1)  # every entry the index does not name is old
    for variant in (["--format", "json"], ["--statistics"], ["-q"], ["--format", "sarif"]):
        same(capsys, *variant, ".")
        b = site / "web-b.conf"
        b.write_text(b.read_text() + "\n")
    (root,) = [path for path in (site / ".kagen_cache").iterdir() if path.is_dir()]
    names = sorted(path.name.split("-")[0] for path in root.iterdir())
    assert names == ["index", "pack", "pack", "run", "run"]  # the first run's pack and the last one's


def _pair(index: int, node: int, vip: int | None = None) -> str:
    """One node of a unicast pair: pair ``index`` on its own addresses (VIP .100 + index)."""
    me, peer = f"10.0.{index}.{node + 1}", f"10.0.{index}.{2 - node}"
    return (
        f"vrrp_instance VI_{index} {{\n    interface eth0\n    virtual_router_id {index + 1}\n"
        f"    priority {150 - 50 * node}\n    unicast_src_ip {me}\n    unicast_peer {{\n        {peer}\n    }}\n"
        f"    virtual_ipaddress {{\n        10.0.{index}.{100 if vip is None else vip}/24\n    }}\n}}\n"
    )


def test_one_changed_file_loads_only_the_files_it_is_clustered_with(tmp_path: Path, capsys, monkeypatch, parses):
    """The pair rules' findings of files that did not change come from the cache: the other
    files' configurations are not even loaded; a change that moves a file into another cluster
    is seen."""
    from kagen.lint import files

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KAGEN_CACHE_DIR")
    for index in range(4):
        for node in (0, 1):
            (tmp_path / f"lb{index}-{node}.conf").write_text(_pair(index, node))
    (tmp_path / "lb0-1.conf").write_text(_pair(0, 1).replace("priority 100", "priority 150"))  # KA504
    loaded: list[str] = []
    real = files._load

    def counting(cached, path, *args):
        loaded.append(path)
        return real(cached, path, *args)

    monkeypatch.setattr(files, "_load", counting)
    cold = same(capsys, ".")
    assert "KA504" in cold[1]
    lb2 = tmp_path / "lb2-0.conf"
    lb2.write_text(lb2.read_text().replace("priority 150", "priority 140"))
    parses.clear()
    loaded.clear()
    assert lint(capsys, ".") == cold
    assert parses == ["lb2-0.conf"] and loaded == ["lb2-1.conf"]  # its partner, for the pair rules
    lb2.write_text(_pair(2, 0, vip=100).replace("10.0.2.100", "10.0.3.100"))  # now shares pair 3's VIP
    moved = same(capsys, ".")
    assert "KA501" in moved[1] and "lb3-0.conf" in moved[1]


def test_a_file_changed_with_its_old_times_put_back_is_read_again(site: Path, capsys):
    """A file's hash is kept by its status (size, times, inode), as git does: a rewrite of the same
    size that puts the modification time back still changes the status time."""
    b = site / "web-b.conf"
    old = b.stat()
    os.utime(b, ns=(old.st_atime_ns - 10**10, old.st_mtime_ns - 10**10))  # settled: its hash is kept
    same(capsys, ".")
    same(capsys, "--format", "json", ".")  # its hash from its status
    settled = b.stat()
    b.write_text(b.read_text().replace("priority 100", "priority 150"))
    os.utime(b, ns=(settled.st_atime_ns, settled.st_mtime_ns))
    assert "KA504" in same(capsys, ".")[1]
