"""A notebook in JupyterLab, in headless Chromium, on the tmrepl kernel.

Starts `jupyter lab` on a free port of 127.0.0.1 with a token and temporary folders, opens
a notebook whose kernelspec is "tmrepl", and types its cells into the page as a user
would (click the cell's editor, type, Shift+Enter): a vector cleared by mistake, `:past 1`,
the vector back, a cell that segfaults and the vector still there. It reads every cell's
output from the page, then photographs the notebook.

    JUPYTER_DATA_DIR=<folder holding kernels/tmrepl> python tests/jupyter/test_lab.py [OUT]

tests/browser.rs runs it. The photograph goes to OUT (else the temporary folder) as
notebook.png, a failed run's page as notebook-failed.png; with TMREPL_SCREENSHOT=1 the
photograph also replaces assets/notebook.png, the README's picture. Needs jupyterlab and
playwright (Python) and Debian's chromium, which Playwright drives as it is: no browser
download.
"""

import json
import os
import pathlib
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import nbformat
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
NOTEBOOK = "rewind.ipynb"
# Each cell's source and a text its output must contain (None: no output expected).
CELLS = [
    ("let mut scores = vec![90, 85, 77];", None),
    ("scores.clear(); // oops\nscores.len()", "0"),
    (":past 1", "restored to cell 1"),
    ("scores", "[90, 85, 77]"),
    ("unsafe { std::ptr::null_mut::<i32>().write_volatile(1); } // a crash", "SIGSEGV"),
    ("scores.iter().sum::<i32>()", "252"),
]
REWOUND = 3  # the cell whose output is the vector brought back by `:past 1`

# The server and the page are quick; the kernel's first cell compiles evcxr's prelude
# (several seconds, more on a loaded machine), later cells take about a second.
SERVER_START_S = 60
KERNEL_START_S = 120
FIRST_CELL_S = 240
CELL_S = 60
# Once a cell has its number and the kernel is idle, its output has come.
OUTPUT_S = 10

REPO = pathlib.Path(__file__).resolve().parents[2]
OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.gettempdir())


class Failed(Exception):
    """What went wrong, said for the reader of the test's output."""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_notebook(root):
    """One empty code cell on the tmrepl kernel: JupyterLab opens it without asking."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell()])
    notebook.metadata["kernelspec"] = {"name": "tmrepl", "display_name": "Rust (tmrepl)", "language": "rust"}
    notebook.metadata["language_info"] = {"name": "rust", "file_extension": ".rs"}
    nbformat.write(notebook, root / NOTEBOOK)


def quiet_settings(settings):
    """JupyterLab's settings that keep its news and update toasts out of the picture."""
    folder = settings / "@jupyterlab" / "apputils-extension"
    folder.mkdir(parents=True)
    (folder / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )


def start_lab(scratch, log):
    """`jupyter lab` on its own folders; returns the process, the base URL and the token."""
    root = scratch / "root"
    root.mkdir()
    write_notebook(root)
    quiet_settings(scratch / "lab-settings")
    port = free_port()
    token = secrets.token_hex(16)
    env = dict(
        os.environ,
        # The kernelspec comes from JUPYTER_DATA_DIR (the caller's); the machine's own
        # configuration, runtime files, lab settings and workspaces stay out.
        JUPYTER_CONFIG_DIR=str(scratch / "config"),
        JUPYTER_RUNTIME_DIR=str(scratch / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(scratch / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(scratch / "lab-workspaces"),
    )
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        # Containers and CI run as root, which Jupyter refuses without this.
        "--allow-root",
        # No listing of extensions from PyPI: the test needs no network.
        "--LabApp.extension_manager=readonly",
    ]
    lab = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    return lab, f"http://127.0.0.1:{port}", token


def wait_for_server(lab, base, token):
    """Returns once the server answers; fails when it exits or takes too long."""
    deadline = time.monotonic() + SERVER_START_S
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                return
        except OSError:
            if lab.poll() is not None:
                raise Failed(f"jupyter lab exited with {lab.returncode}")
            if time.monotonic() > deadline:
                raise Failed(f"jupyter lab did not answer on {base} within {SERVER_START_S} s")
            time.sleep(0.3)


def stop_lab(lab):
    # SIGTERM makes the server shut its kernels down before it exits.
    lab.terminate()
    try:
        lab.wait(timeout=30)
    except subprocess.TimeoutExpired:
        lab.kill()
        lab.wait()


def run_cell(page, index, source, timeout_s):
    """Types `source` into cell `index` and runs it with Shift+Enter, as a user does;
    returns when the cell has its execution count and the kernel is idle again."""
    cell = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(index)
    editor = cell.locator(".cm-content")
    editor.click()
    # CodeMirror closes brackets as they open; typing the closing one steps over it, so
    # the text comes out as typed (checked, so a changed editor fails here, not later).
    page.keyboard.type(source)
    expect(editor.locator(".cm-line"), f"cell {index + 1}'s editor holds what was typed").to_have_text(
        source.split("\n")
    )
    page.keyboard.press("Shift+Enter")
    # "[ ]:" before, "[*]:" while queued or running, "[N]:" once the kernel replied.
    expect(cell.locator(".jp-InputPrompt"), f"cell {index + 1} finished").to_have_text(
        re.compile(r"\[\d+\]:"), timeout=timeout_s * 1000
    )
    wait_idle(page, timeout_s)
    return cell


def wait_idle(page, timeout_s):
    """The notebook toolbar's kernel indicator says idle."""
    indicator = page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator")
    expect(indicator, "the kernel is idle").to_have_attribute("data-status", "idle", timeout=timeout_s * 1000)


def drive(page, url):
    """The notebook, cell by cell; returns each cell's output text as the page shows it."""
    page.goto(url)
    page.locator(".jp-NotebookPanel .jp-Cell .cm-content").first.wait_for(timeout=SERVER_START_S * 1000)
    kernel_name = page.locator(".jp-NotebookPanel .jp-KernelName")
    expect(kernel_name, "the notebook's kernel").to_have_text("Rust (tmrepl)")
    wait_idle(page, KERNEL_START_S)
    # Fold the file browser away: the notebook is the picture.
    page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
    outputs = []
    for index, (source, shows) in enumerate(CELLS):
        cell = run_cell(page, index, source, FIRST_CELL_S if index == 0 else CELL_S)
        # The outputs themselves, without their "[N]:" prompts.
        output = cell.locator(".jp-OutputArea-output")
        if shows is not None:
            expect(
                output.filter(has_text=shows).first, f"cell {index + 1} ({source!r}) shows {shows!r}"
            ).to_be_visible(timeout=OUTPUT_S * 1000)
        outputs.append("\n".join(output.all_inner_texts()))
    return outputs


def photograph(page):
    """The notebook as the README shows it; into the repository only when asked, so a
    test run leaves the checkout as it was."""
    page.keyboard.press("Escape")  # out of the editor: no cursor in the picture
    page.mouse.move(0, 0)  # no hover highlight either
    picture = OUT / "notebook.png"
    page.screenshot(path=str(picture), animations="disabled", caret="hide")
    if os.environ.get("TMREPL_SCREENSHOT") == "1":
        shutil.copyfile(picture, REPO / "assets" / "notebook.png")
        picture = REPO / "assets" / "notebook.png"
    return picture


def in_browser(url):
    """Drives the page in headless Chromium; returns the outputs and the picture's path."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1000, "height": 620})
        try:
            outputs = drive(page, url)
            return outputs, photograph(page)
        except (AssertionError, PlaywrightError) as error:
            shot = OUT / "notebook-failed.png"
            page.screenshot(path=str(shot))
            # Playwright's message begins with what was expected and goes on with the page.
            what, _, details = str(error).partition("\n")
            raise Failed(f"{what}\nthe page as it was: {shot}\n{details}") from None
        finally:
            browser.close()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tmrepl-lab-") as folder:
        scratch = pathlib.Path(folder)
        log_path = scratch / "lab.log"
        failure = None
        with open(log_path, "w") as log:
            lab, base, token = start_lab(scratch, log)
            try:
                wait_for_server(lab, base, token)
                outputs, picture = in_browser(f"{base}/lab/tree/{NOTEBOOK}?token={token}")
            except Failed as error:
                failure = error
            finally:
                stop_lab(lab)
        if failure is not None:
            # Read once the server has stopped, so its log is whole.
            print(f"FAILED: {failure}\n--- jupyter lab's log\n{log_path.read_text()}", file=sys.stderr)
            return 1
    for index, text in enumerate(outputs):
        print(f"[{index + 1}] {text!r}")
    # What the test is for: the page shows the vector `:past 1` brought back.
    if outputs[REWOUND].strip() != CELLS[REWOUND][1]:
        print(f"FAILED: the rewound cell shows {outputs[REWOUND]!r}", file=sys.stderr)
        return 1
    print(f"lab: {len(CELLS)} cells ran; picture {picture}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
