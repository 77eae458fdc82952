"""evcxr's tour notebook, cell by cell, through tmrepl's kernel; run by tests/jupyter.rs.

evcxr_jupyter_tour.ipynb (beside this file, see LICENSE-evcxr-tour.md) carries the
outputs evcxr_jupyter gave for each cell. This script starts the installed `tmrepl`
kernelspec with jupyter_client (found through JUPYTER_DATA_DIR, where the Rust test ran
`tmrepl kernel install --user`), executes every code cell in order and compares what
the kernel published with the stored outputs:

- the same outputs in the same order, of the same kinds (stream and its name,
  execute_result, display_data, error) with the same mime types; streams are compared
  per name (stdout and stderr are separate pipes, so their order against each other is
  not kept, and a kernel may split one stream into several messages);
- text/plain and text/html equal, stream text equal, an error's ename and evalue
  equal; a PNG decoded to the same width, height and pixels (not the same bytes);
- the execute_reply's status is "error" exactly where evcxr stored an error.

Where a stored value is not deterministic, or depends on the rustc or evcxr version
that made the notebook, the cell has a check of its own in EXCEPTIONS below, each
saying why. One line per code cell, then `tour: N passed, N failed[, N skipped]`;
the exit status is non-zero on any failure.

    JUPYTER_DATA_DIR=... python tests/jupyter/test_tour.py [--kernel NAME]
"""

import argparse
import base64
import json
import pathlib
import queue
import re
import socket
import struct
import sys
import threading
import time
import zlib

from jupyter_client.manager import start_new_kernel

HERE = pathlib.Path(__file__).resolve().parent
NOTEBOOK = HERE / "evcxr_jupyter_tour.ipynb"

# The first cell waits for the kernel's evcxr to start and builds tmrepl's helper crate.
FIRST_CELL_TIMEOUT = 300
CELL_TIMEOUT = 300
# `:dep` cells download and compile crates (image 0.23, tokio 0.2 with "full") on a
# small machine.
DEP_CELL_TIMEOUT = 1800

# The tour's cells 32 and 33 need something listening on this port ("you might be able
# to use netcat"); the script listens itself and checks what cell 33 sends.
LISTEN_PORT = 6543

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class Mismatch(Exception):
    pass


def text(value):
    """A notebook field (a string or a list of lines) as one string."""
    return "".join(value) if isinstance(value, list) else value


# --- what a cell gave, in one shape for both sides ---------------------------------------


def normalize(outputs):
    """Outputs (nbformat dicts, or iopub contents with output_type added) as
    (streams by name, the other outputs in order)."""
    streams = {}
    others = []
    for out in outputs:
        kind = out["output_type"]
        if kind == "stream":
            streams[out["name"]] = streams.get(out["name"], "") + text(out["text"])
        elif kind in ("execute_result", "display_data"):
            data = {mime: (value if mime.endswith("json") else text(value)) for mime, value in out["data"].items()}
            others.append({"output_type": kind, "data": data})
        elif kind == "error":
            others.append(
                {
                    "output_type": "error",
                    "ename": out["ename"],
                    "evalue": out["evalue"],
                    "traceback": [ANSI.sub("", line) for line in out["traceback"]],
                }
            )
    return streams, others


def describe(streams, others):
    parts = [f"{name}: {body!r}" for name, body in sorted(streams.items())]
    for out in others:
        if out["output_type"] == "error":
            parts.append(f"error {out['ename']!r}: {out['evalue']!r} {out['traceback']!r}")
        else:
            data = {
                mime: (f"<{len(value)} chars base64>" if mime.startswith("image/") else value)
                for mime, value in out["data"].items()
            }
            parts.append(f"{out['output_type']} {data!r}")
    return "; ".join(parts) if parts else "no output"


# --- PNG, decoded without third-party modules -----------------------------------------


def decode_png(b64):
    """(width, height, colour type, bit depth, unfiltered rows) of a non-interlaced PNG."""
    raw = base64.b64decode(b64)
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        raise Mismatch("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(raw):
        (length,) = struct.unpack(">I", raw[pos : pos + 4])
        kind = raw[pos + 4 : pos + 8]
        body = raw[pos + 8 : pos + 8 + length]
        if zlib.crc32(kind + body) != struct.unpack(">I", raw[pos + 8 + length : pos + 12 + length])[0]:
            raise Mismatch(f"PNG chunk {kind!r} has a bad CRC")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None:
        raise Mismatch("PNG without IHDR")
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    if depth != 8 or interlace:
        raise Mismatch(f"PNG of bit depth {depth}, interlace {interlace}: not decoded here")
    data = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        line = data[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, cur = line[0], bytearray(line[1:])
        for i in range(stride):
            a = cur[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if kind == 1:
                cur[i] = (cur[i] + a) & 0xFF
            elif kind == 2:
                cur[i] = (cur[i] + b) & 0xFF
            elif kind == 3:
                cur[i] = (cur[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
            elif kind != 0:
                raise Mismatch(f"PNG row filter {kind}")
        rows.append(bytes(cur))
        prev = cur
    return width, height, colour, depth, b"".join(rows)


def compare_png(got, want):
    gw, gh, gc, gd, gpix = decode_png(got)
    ww, wh, wc, wd, wpix = decode_png(want)
    if (gw, gh) != (ww, wh):
        raise Mismatch(f"PNG is {gw}x{gh}, evcxr's {ww}x{wh}")
    if (gc, gd) != (wc, wd):
        raise Mismatch(f"PNG colour type/depth {gc}/{gd}, evcxr's {wc}/{wd}")
    if gpix != wpix:
        differ = sum(1 for x, y in zip(gpix, wpix) if x != y)
        raise Mismatch(f"PNG {gw}x{gh} but {differ} channel values differ from evcxr's")


# --- the comparison ---------------------------------------------------------------


def compare_data(got, want, mimes_checked_elsewhere=()):
    if sorted(got) != sorted(want):
        raise Mismatch(f"mime types {sorted(got)}, evcxr gave {sorted(want)}")
    for mime, value in want.items():
        if mime in mimes_checked_elsewhere:
            continue
        if mime == "image/png":
            compare_png(got[mime], value)
        elif mime.startswith("image/"):
            if not got[mime]:
                raise Mismatch(f"{mime} is empty")
        elif got[mime] != value:
            raise Mismatch(f"{mime} is {got[mime]!r}, evcxr gave {value!r}")


# tmrepl's own time-machine notices, which evcxr has nothing to say for: a snapshot taken
# while another thread runs is degraded (fork copies one thread), said when it begins and
# when it ends. They are left out of the comparison of streams.
TIME_MACHINE_NOTICE = re.compile(r"^(warning: snapshot \d+ is degraded: .*|snapshot \d+ is whole again: .*)\n", re.M)


def compare_default(got, want, mimes_checked_elsewhere=(), error_checked_elsewhere=False):
    gs, go = got
    ws, wo = want
    gs = {name: TIME_MACHINE_NOTICE.sub("", body) for name, body in gs.items()}
    gs = {name: body for name, body in gs.items() if body}
    if sorted(gs) != sorted(ws):
        raise Mismatch(f"streams {sorted(gs)}, evcxr gave {sorted(ws)}")
    for name, body in ws.items():
        if gs[name] != body:
            raise Mismatch(f"{name} is {gs[name]!r}, evcxr gave {body!r}")
    kinds = [o["output_type"] for o in go]
    want_kinds = [o["output_type"] for o in wo]
    if kinds != want_kinds:
        raise Mismatch(f"outputs {kinds}, evcxr gave {want_kinds}")
    for g, w in zip(go, wo):
        if w["output_type"] == "error":
            if error_checked_elsewhere:
                continue
            if (g["ename"], g["evalue"]) != (w["ename"], w["evalue"]):
                raise Mismatch(f"error {g['ename']!r}: {g['evalue']!r}, evcxr gave {w['ename']!r}: {w['evalue']!r}")
        else:
            compare_data(g["data"], w["data"], mimes_checked_elsewhere)


def the_result(got):
    results = [o for o in got[1] if o["output_type"] == "execute_result"]
    if len(results) != 1:
        raise Mismatch(f"{len(results)} execute_results, evcxr gave one")
    return results[0]["data"]


# --- the exceptions, by notebook cell index ---------------------------------------------


def counter_value(got, state, key):
    # The counter a background thread bumps every 100 ms: its value depends on how long
    # the cells before took (evcxr stored 65, then 120). It must be a count the thread
    # can reach (1..=299), and never go down from one cell to the next.
    compare_default(got, state["want"], mimes_checked_elsewhere=("text/plain",))
    value = the_result(got)["text/plain"]
    if not value.isdigit() or not 1 <= int(value) <= 299:
        raise Mismatch(f"counter is {value!r}, not a count the thread can reach (1..=299)")
    before = state.get("counter")
    if before is not None and int(value) < before:
        raise Mismatch(f"counter went down: {before} then {value}")
    state["counter"] = int(value)
    return f"counter {value} (timing-dependent; evcxr stored {text(the_result(state['want'])['text/plain'])})"


def compile_error(got, state, key):
    # The error's ename and evalue ("mismatched types") are compared; its traceback is
    # rustc's wording, which changed since the notebook was saved ("expected &str, found
    # struct `std::string::String`" then, "expected `&str`, found `String`" now), so it
    # must only show the offending code and "expected &str".
    compare_default(got, state["want"])
    (error,) = [o for o in got[1] if o["output_type"] == "error"]
    shown = "\n".join(error["traceback"]).replace("`", "")
    for needle in ['s.push_str(format!("foo {}", 42));', "expected &str"]:
        if needle not in shown:
            raise Mismatch(f"traceback does not show {needle!r}: {error['traceback']!r}")
    return None


def listener_connected(got, state, key):
    # evcxr's notebook stores no output for this cell: it connects to what listens on
    # 127.0.0.1:6543, here this script's own listener.
    compare_default(got, state["want"])
    if not state["listener"].connected.wait(10):
        raise Mismatch("nothing connected to the listener on port 6543")
    return None


def listener_heard(got, state, key):
    # And this one writes a line to it: the listener must have received it.
    compare_default(got, state["want"])
    listener = state["listener"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and b"Hello, world!\n" not in listener.received:
        time.sleep(0.05)
    if listener.received != b"Hello, world!\n":
        raise Mismatch(f"the listener received {bytes(listener.received)!r}, not b'Hello, world!\\n'")
    return None


STRIP_PATHS = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*::")


def vars_table(got, state, key):
    # :vars lists the variables with their types, as text/plain lines "name: type" and
    # as an HTML table. Compared as sets: evcxr lists them in its own (hash) order. The
    # types are compared without their paths (`std::sync::Arc` or `Arc`,
    # `user_code_13::Matrix` — a module numbered by evcxr's compilations — or
    # `Matrix`): how a type is spelled is rustc's and evcxr's choice of the day. The
    # notebook was saved without running cells 32-33 (they need a listener); here they
    # ran, so `stream` is there as well.
    compare_default(got, state["want"], mimes_checked_elsewhere=("text/plain", "text/html"))
    want = text(the_result(state["want"])["text/plain"])
    expected = {}
    for line in want.splitlines():
        name, _, ty = line.partition(": ")
        expected[name] = STRIP_PATHS.sub("", ty)
    expected["stream"] = "TcpStream"
    data = the_result(got)
    listed = {}
    for line in data["text/plain"].splitlines():
        name, sep, ty = line.partition(": ")
        if not sep:
            raise Mismatch(f"text/plain line {line!r} is not `name: type`")
        listed[name] = STRIP_PATHS.sub("", ty)
    if listed != expected:
        raise Mismatch(f"text/plain lists {listed}, evcxr's (paths stripped, with stream) {expected}")
    html = data["text/html"]
    rows = re.findall(r"<td>([^<]*)</td><td>([^<]*)</td>", html)
    from_html = {name: STRIP_PATHS.sub("", ty.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")) for name, ty in rows}
    if not html.startswith("<table>") or from_html != expected:
        raise Mismatch(f"text/html lists {from_html} ({html!r}), evcxr's {expected}")
    return None


def help_text(got, state, key):
    # :help is one line per command, and its text is the kernel's own (evcxr's list has
    # grown since the notebook was saved, and tmrepl adds its commands). Each command
    # evcxr listed must have a line of its own, starting with its name.
    compare_default(got, state["want"], mimes_checked_elsewhere=("text/plain",))
    want = text(the_result(state["want"])["text/plain"])
    have = text(the_result(got)["text/plain"])
    # (Indented lines count too: a kernel may lay its list out with a margin.)
    starts = {line.split()[0] for line in have.splitlines() if line.strip().startswith(":")}
    commands = [line.split()[0] for line in want.splitlines() if line.startswith(":")]
    missing = [c for c in commands if c not in starts]
    if missing:
        raise Mismatch(f":help has no line for {missing}: {have!r}")
    return None


# index: (first line of the cell's source, check or "skip" with the reason).
EXCEPTIONS = {
    # Colab's setup: downloads a script from a gist and runs it to install a Rust kernel
    # with Nix. Not part of the tour (the notebook stores no output for it: evcxr never
    # ran it there), and it would install things on the machine: not run.
    1: ("!wget -qO- https://gist.github.com/", "skip"),
    17: ("*counter.lock()?", counter_value),
    18: ("*counter.lock()?", counter_value),
    27: ("let mut s = String::new();", compile_error),
    32: ('let mut stream : tokio::net::TcpStream = tokio::net::TcpStream::connect("127.0.0.1:6543")', listener_connected),
    33: ("use tokio::io::AsyncWriteExt;", listener_heard),
    36: (":vars", vars_table),
    38: (":help", help_text),
}
# Cell 4: stdout and stderr are compared per stream (the default), as the tour says
# their order against each other is not kept.


class Listener:
    """What the tour asks the reader to start with `nc -t -l 6543`."""

    def __init__(self, port):
        self.server = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self.server.settimeout(DEP_CELL_TIMEOUT * 3)
        self.connected = threading.Event()
        self.received = bytearray()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        self.connected.set()
        with conn:
            while True:
                try:
                    chunk = conn.recv(4096)
                except OSError:
                    return
                if not chunk:
                    return
                self.received.extend(chunk)


def run_cell(km, kc, source, timeout):
    """Executes one cell: (the execute_reply's status, its iopub outputs). Watches the
    kernel process too, so a kernel that died fails the cell at once instead of after
    the whole timeout."""
    msg_id = kc.execute(source, allow_stdin=False, stop_on_error=False)
    outputs, idle, status = [], False, None
    deadline = time.monotonic() + timeout
    while not idle or status is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {'reply' if status is None else 'idle status'} in {timeout} s")
        if not km.is_alive():
            process = getattr(km.provisioner, "process", None)
            code = process.poll() if process is not None else None
            raise RuntimeError(f"the kernel process is gone (exit status {code}; negative: killed by that signal)")
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            msg = None
        if msg is not None and msg["parent_header"].get("msg_id") == msg_id:
            kind = msg["msg_type"]
            if kind in ("stream", "execute_result", "display_data", "error"):
                outputs.append(dict(msg["content"], output_type=kind))
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        while status is None:
            try:
                reply = kc.get_shell_msg(timeout=0.01)
            except queue.Empty:
                break
            if reply["parent_header"].get("msg_id") == msg_id:
                status = reply["content"]["status"]
    return status, outputs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kernel", default="tmrepl")
    args = parser.parse_args()

    nb = json.loads(NOTEBOOK.read_text())
    cells = [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    for index, (first, _) in EXCEPTIONS.items():
        source = text(nb["cells"][index]["source"])
        assert source.startswith(first), f"cell {index} is not the one EXCEPTIONS means: {source!r}"

    state = {"listener": Listener(LISTEN_PORT)}
    passed = failed = skipped = 0
    started = time.monotonic()
    km, kc = start_new_kernel(kernel_name=args.kernel, startup_timeout=120)
    try:
        first_run = True
        for index, cell in cells:
            source = text(cell["source"])
            head = source.splitlines()[0] if source.strip() else "(empty)"
            check = EXCEPTIONS.get(index, (None, None))[1]
            if check == "skip":
                skipped += 1
                print(f"cell {index:2} {head[:60]!r}: skipped (Colab setup, downloads a script)", flush=True)
                continue
            timeout = DEP_CELL_TIMEOUT if ":dep" in source else FIRST_CELL_TIMEOUT if first_run else CELL_TIMEOUT
            first_run = False
            cell_started = time.monotonic()
            want = normalize(cell["outputs"])
            state["want"] = want
            why = None
            try:
                status, outputs = run_cell(km, kc, source, timeout)
                got = normalize(outputs)
                want_status = "error" if any(o["output_type"] == "error" for o in want[1]) else "ok"
                try:
                    if check is None:
                        compare_default(got, want)
                        note = None
                    else:
                        note = check(got, state, index)
                    if status != want_status:
                        raise Mismatch(f"execute_reply status {status!r}, evcxr's would be {want_status!r}")
                except Mismatch as mismatch:
                    why = f"{mismatch}\n      kernel gave: {describe(*got)}\n      evcxr gave:  {describe(*want)}"
            except Exception as error:  # a timeout, a dead kernel
                why = f"{type(error).__name__}: {error}"
                note = None
            took = time.monotonic() - cell_started
            if why is None:
                passed += 1
                print(f"cell {index:2} {head[:60]!r}: ok ({took:.1f} s){'; ' + note if note else ''}", flush=True)
            else:
                failed += 1
                print(f"cell {index:2} {head[:60]!r}: FAIL ({took:.1f} s): {why}", flush=True)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(f"took {time.monotonic() - started:.0f} s", flush=True)
    line = f"tour: {passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
