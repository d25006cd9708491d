"""The language server end to end through Neovim's built-in LSP client: headless ``nvim`` opens a
multicast configuration, starts ``kagen lsp`` for the workspace, and writes down the diagnostics it
received, which must be what ``kagen lint`` says about the file. Written for Neovim 0.7 (Debian
12's), so the client is started with ``vim.lsp.start_client`` (``vim.lsp.start`` is 0.8+)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from support.helpers import require

CONFIG = (
    "vrrp_instance VI_1 {\n"
    "    state MASTER\n"
    "    interface eth0\n"
    "    virtual_router_id 51\n"
    "    priority 150\n"
    "    virtual_ipaddress {\n"
    "        10.0.0.100/24\n"
    "    }\n"
    "}\n"
)
TIMEOUT = 60  # seconds for the whole nvim run
WAIT_MS = 20_000  # how long nvim waits for the first diagnostics

# Run on VimEnter, with the file given on the command line as the current buffer. Whatever happens,
# the result file is written and nvim quits: an error must not leave it waiting for input.
INIT_LUA = """\
local params = vim.fn.json_decode([==[{params}]==])
vim.lsp.set_log_level("debug")

local function write(result)
  vim.fn.writefile({{vim.fn.json_encode(result)}}, params.result)
end

local function run()
  local bufnr = vim.api.nvim_get_current_buf()
  local exit = {{}}
  local client_id = vim.lsp.start_client({{
    name = "kagen",
    cmd = params.cmd,
    root_dir = params.root,
    on_exit = function(code, sig) exit.code, exit.signal = code, sig end,
  }})
  assert(client_id, "vim.lsp.start_client failed")
  assert(vim.lsp.buf_attach_client(bufnr, client_id), "vim.lsp.buf_attach_client failed")
  local received = vim.wait(params.wait_ms, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 50)
  local diagnostics = {{}}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(diagnostics, {{
      code = d.user_data and d.user_data.lsp and d.user_data.lsp.code or vim.NIL,
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, message = d.message, source = d.source or vim.NIL,
    }})
  end
  vim.lsp.stop_client(client_id)
  local stopped = vim.wait(5000, function() return exit.code ~= nil end, 50)
  write({{
    received = received, diagnostics = diagnostics, file = vim.api.nvim_buf_get_name(bufnr),
    stopped = stopped, exit_code = exit.code or vim.NIL, exit_signal = exit.signal or vim.NIL,
  }})
end

vim.api.nvim_create_autocmd("VimEnter", {{
  once = true,
  callback = function()
    local ok, err = pcall(run)
    if not ok then
      pcall(write, {{ error = tostring(err) }})
    end
    vim.cmd("qa!")
  end,
}})
"""


def _nvim() -> str | None:
    return shutil.which("nvim")


def _env(home: Path) -> dict[str, str]:
    """The environment without the user's editor setup: HOME and the XDG directories in ``home``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NVIM", "VIM", "MYVIMRC", "XDG_"))}
    env["HOME"] = str(home)
    for name in ("CONFIG", "DATA", "STATE", "CACHE", "RUNTIME"):
        folder = home / name.lower()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        env[f"XDG_{name}_HOME" if name != "RUNTIME" else "XDG_RUNTIME_DIR"] = str(folder)
    env["NVIM_LOG_FILE"] = str(home / "nvim.log")
    return env


def _lint(workspace: Path) -> tuple[dict, str]:
    """KA101 of ``kagen lint --format json keepalived.conf`` and its message in the text format."""
    command = [sys.executable, "-I", "-m", "kagen", "lint", "keepalived.conf"]
    found = subprocess.run([*command, "--format", "json"], cwd=workspace, capture_output=True, text=True, timeout=60)
    findings = [f for f in json.loads(found.stdout)["findings"] if f["code"] == "KA101"]
    assert len(findings) == 1, found.stdout
    text = subprocess.run(command, cwd=workspace, capture_output=True, text=True, timeout=60).stdout
    match = re.search(r"^keepalived\.conf:\d+:\d+: KA101 (.*?)(?: \[[\w-]+\])?$", text, re.MULTILINE)
    assert match is not None, text
    return findings[0], match.group(1)


def _run_nvim(nvim: str, init: Path, conf: Path, home: Path) -> subprocess.CompletedProcess:
    """``nvim --headless --clean -u init conf`` in its own process group (the language server it
    starts is in it too), killed with it if it outlives TIMEOUT."""
    command = [nvim, "--headless", "--clean", "-u", str(init), str(conf)]
    proc = subprocess.Popen(
        command,
        cwd=conf.parent,
        env=_env(home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"nvim did not quit within {TIMEOUT} s (killed)\nstdout: {stdout}\nstderr: {stderr}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)


@pytest.mark.slow
def test_neovim_client_receives_ka101(tmp_path):
    nvim = _nvim()
    require(None if nvim else "nvim is not installed (apt-get install neovim)")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    conf = workspace / "keepalived.conf"
    conf.write_text(CONFIG)
    home = tmp_path / "home"
    home.mkdir()
    result = tmp_path / "result.json"
    params = {
        "cmd": [sys.executable, "-I", "-m", "kagen", "lsp", "--stdio"],  # -I: the installed kagen
        "root": str(workspace),
        "result": str(result),
        "wait_ms": WAIT_MS,
    }
    init = tmp_path / "init.lua"
    init.write_text(INIT_LUA.format(params=json.dumps(params)))

    run = _run_nvim(nvim, init, conf, home)
    lsp_log = home / "cache" / "nvim" / "lsp.log"
    context = f"nvim exit {run.returncode}\nstderr: {run.stderr}\nlsp.log:\n" + (
        lsp_log.read_text(errors="replace")[-4000:] if lsp_log.exists() else "(none)"
    )
    assert result.exists(), context
    got = json.loads(result.read_text())
    assert "error" not in got, f"{got['error']}\n{context}"
    assert got["received"], f"no diagnostics within {WAIT_MS} ms\n{context}"
    assert Path(got["file"]) == conf

    expected, text_message = _lint(workspace)
    ka101 = [d for d in got["diagnostics"] if d["code"] == "KA101"]
    assert len(ka101) == 1, got["diagnostics"]
    diagnostic = ka101[0]
    assert {key: diagnostic[key] for key in ("lnum", "col", "end_lnum", "end_col")} == {
        "lnum": expected["line"] - 1,
        "col": expected["col"] - 1,
        "end_lnum": expected["end_line"] - 1,
        "end_col": expected["end_col"] - 1,
    }
    assert diagnostic["message"].startswith(text_message), (diagnostic["message"], text_message)
    assert diagnostic["severity"] == 1  # vim.diagnostic.severity.ERROR, from DiagnosticSeverity.Error
    assert diagnostic["source"] == "kagen"
