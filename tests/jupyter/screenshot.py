"""Makes assets/notebook.png, the README's picture of a notebook that rewinds.

Runs a small notebook on the installed tmrepl kernelspec with nbclient, renders it with
`jupyter nbconvert --to html` and photographs the page with headless Chromium:

    JUPYTER_DATA_DIR=... python tests/jupyter/screenshot.py   # needs nbconvert, chromium
"""

import pathlib
import subprocess
import tempfile

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

CELLS = [
    "let mut scores = vec![90, 85, 77];",
    "scores.clear(); // oops\nscores.len()",
    ":past 1",
    "scores",
    "unsafe { std::ptr::null_mut::<i32>().write_volatile(1); } // a crash",
    "scores.iter().sum::<i32>()",
]

root = pathlib.Path(__file__).resolve().parents[2]
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
nb.metadata["kernelspec"] = {"name": "tmrepl", "display_name": "Rust (tmrepl)", "language": "rust"}
nb.metadata["language_info"] = {"name": "rust", "pygments_lexer": "rust", "file_extension": ".rs"}
client = NotebookClient(nb, kernel_name="tmrepl", timeout=300, allow_errors=True)
# Cell by cell, so the numbers are tmrepl's own (execute() numbers cells itself).
with client.setup_kernel():
    for index, cell in enumerate(nb.cells):
        client.execute_cell(cell, index)
html, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
with tempfile.TemporaryDirectory() as folder:
    page = pathlib.Path(folder) / "notebook.html"
    page.write_text(html)
    subprocess.run(
        [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--window-size=900,450", f"--screenshot={root / 'assets/notebook.png'}",
            page.as_uri(),
        ],
        check=True,
    )
print(root / "assets/notebook.png")
