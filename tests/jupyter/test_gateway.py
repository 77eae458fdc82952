"""tmrepl's kernelspec under Jupyter Kernel Gateway, run by tests/gateway.rs.

The gateway (jupyter-kernel-gateway, its default jupyter_websocket API) listens on
127.0.0.1 on a free port and finds the `tmrepl` kernelspec through JUPYTER_DATA_DIR and
JUPYTER_PATH, which the Rust test points at a temporary folder where it ran
`tmrepl kernel install --user`. Over the gateway's REST API this starts a tmrepl kernel,
then over its websocket (/api/kernels/<id>/channels, Jupyter messages as JSON) runs
cells as a remote notebook would, checking each reply and its outputs: a variable made
and changed, `:past` back to where it was made, a `&` job and the notice of its end, a
segfaulting cell that fails while the kernel lives on. Last it deletes the kernel, stops
the gateway and checks that every process of the kernel is gone.

    JUPYTER_DATA_DIR=DIR JUPYTER_PATH=DIR python -m unittest -v test_gateway
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid

import websocket

# The first cell waits for evcxr to start and builds the helper crate.
FIRST_CELL_TIMEOUT = 180
CELL_TIMEOUT = 60
GATEWAY_START_TIMEOUT = 60
# jupyter_client asks the kernel to shut down and kills it after its own wait (5 s).
PROCESSES_GONE_TIMEOUT = 30


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_table():
    """{pid: (ppid, start time, state, command line)} of every process now."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue  # ended while we looked
        # pid (comm) state ppid ...; comm may hold spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        table[int(entry)] = (int(fields[1]), fields[19], fields[0], cmdline)
    return table


def descendants(root):
    """(pid, start time, command line) of every living process below `root`. The start
    time tells a process from a later one that got its pid back."""
    table = process_table()
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, started, state, cmdline) in table.items():
            if ppid == parent and state != "Z":
                found.append((pid, started, cmdline))
                frontier.append(pid)
    return found


def still_running(processes):
    table = process_table()
    return [
        (pid, cmdline)
        for pid, started, cmdline in processes
        if pid in table and table[pid][1] == started and table[pid][2] != "Z"
    ]


def wait_until_gone(processes, timeout):
    deadline = time.monotonic() + timeout
    while (left := still_running(processes)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


class Gateway:
    """A jupyter-kernel-gateway process and HTTP calls to it."""

    def __init__(self):
        self.port = free_port()
        self.log = tempfile.TemporaryFile()
        # --port_retries=0: fail on a taken port rather than quietly listen on another.
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kernel_gateway",
                "--ip=127.0.0.1",
                f"--port={self.port}",
                "--port_retries=0",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + GATEWAY_START_TIMEOUT
        while True:
            try:
                self.request("GET", "/api")
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.kill()
                    self.process.wait()
                    raise AssertionError(f"the gateway did not start:\n{self.output()}")
                time.sleep(0.2)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def request(self, method, path, body=None):
        """(status, JSON answer or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=FIRST_CELL_TIMEOUT) as response:
                text = response.read()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            return error.code, None

    def stop(self):
        """SIGTERM, as a service manager stops it; returns its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=PROCESSES_GONE_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the gateway did not stop on SIGTERM:\n{self.output()}")


class Channels:
    """A kernel's websocket on the gateway: every channel as JSON messages on one socket."""

    def __init__(self, port, kernel_id):
        self.session = uuid.uuid4().hex
        self.socket = websocket.create_connection(
            f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?session_id={self.session}",
            timeout=CELL_TIMEOUT,
        )
        # Messages that came while another request's were awaited (a job's end, say).
        self.earlier = []

    def execute(self, code, timeout=CELL_TIMEOUT):
        """Runs `code`; returns the request's msg_id, the execute_reply's content and the
        iopub messages of the request, once the reply and the kernel's idle status for it
        have both come."""
        msg_id = uuid.uuid4().hex
        self.socket.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "session": self.session,
                        "username": "test_gateway",
                        "version": "5.3",
                        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": True,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        reply, outputs, idle = None, [], False
        deadline = time.monotonic() + timeout
        while reply is None or not idle:
            message = self.receive(deadline, f"the reply to {code!r}")
            if message["parent_header"].get("msg_id") != msg_id:
                self.earlier.append(message)
            elif message["channel"] == "shell" and message["msg_type"] == "execute_reply":
                reply = message["content"]
            elif message["channel"] == "iopub":
                if message["msg_type"] == "status":
                    idle = message["content"]["execution_state"] == "idle"
                else:
                    outputs.append(message)
        return msg_id, reply, outputs

    def wait_for_stream(self, parent_msg_id, needle, timeout):
        """The first iopub stream under `parent_msg_id` containing `needle`, seen before
        or now."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.earlier:
                if (
                    message["msg_type"] == "stream"
                    and message["parent_header"].get("msg_id") == parent_msg_id
                    and needle in message["content"]["text"]
                ):
                    return message
            self.earlier.append(self.receive(deadline, repr(needle)))

    def receive(self, deadline, what):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {what} in time; heard before: {self.earlier}")
        self.socket.settimeout(left)
        try:
            return json.loads(self.socket.recv())
        except websocket.WebSocketTimeoutException:
            raise AssertionError(f"no {what} in time; heard before: {self.earlier}") from None

    def close(self):
        self.socket.close()


def text_of(outputs):
    """Streams, results and errors as one text, for checks and failure messages."""
    parts = []
    for message in outputs:
        content = message["content"]
        if message["msg_type"] == "stream":
            parts.append(content["text"])
        elif message["msg_type"] in ("execute_result", "display_data"):
            parts.append(content["data"].get("text/plain", ""))
        elif message["msg_type"] == "error":
            parts.append("\n".join(content["traceback"]))
    return "".join(parts)


def result_of(outputs):
    """The text/plain of the one execute_result."""
    results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
    assert len(results) == 1, f"expected one execute_result, got {outputs}"
    return results[0]


class GatewayTests(unittest.TestCase):
    def setUp(self):
        self.gateway = Gateway()
        self.addCleanup(self.stop_gateway)

    def stop_gateway(self):
        try:
            # SIGTERM first: the gateway shuts its kernels down.
            self.gateway.stop()
        finally:
            self.gateway.log.close()

    def test_a_kernel_through_the_gateway_rewinds_runs_a_job_survives_a_segfault_and_ends(self):
        try:
            self.run_cells_then_end_the_kernel()
        except Exception as failure:
            # The gateway's log holds the kernel's stderr too.
            raise AssertionError(f"{failure}\n--- the gateway's log\n{self.gateway.output()}") from failure

    def run_cells_then_end_the_kernel(self):
        status, specs = self.gateway.request("GET", "/api/kernelspecs")
        self.assertEqual(status, 200)
        self.assertIn("tmrepl", specs["kernelspecs"], specs)

        # As jupyter_server's gateway client (`jupyter lab --gateway-url`) asks: with an
        # `env`, the gateway gives the kernel only PATH and the KERNEL_* variables.
        body = {"name": "tmrepl", "env": {"KERNEL_USERNAME": "test_gateway"}}
        status, kernel = self.gateway.request("POST", "/api/kernels", body)
        self.assertEqual(status, 201, kernel)
        self.assertEqual(kernel["name"], "tmrepl", kernel)
        kernel_id = kernel["id"]
        channels = Channels(self.gateway.port, kernel_id)
        self.addCleanup(channels.close)

        _, reply, outputs = channels.execute("let mut v = vec![1, 2, 3];", FIRST_CELL_TIMEOUT)
        self.check_ok(reply, outputs, 1)

        _, reply, outputs = channels.execute("v.push(4); v.len()")
        self.check_ok(reply, outputs, 2)
        self.assertEqual(result_of(outputs), "4")

        # A command is not a cell: it shows under the number of the cell before it.
        _, reply, outputs = channels.execute(":past 1")
        self.check_ok(reply, outputs, 2)
        self.assertIn("restored to cell 1", result_of(outputs))

        _, reply, outputs = channels.execute("v.len()")
        self.check_ok(reply, outputs, 3)
        self.assertEqual(result_of(outputs), "3")

        job_code = "& std::thread::sleep(std::time::Duration::from_millis(300));"
        job_request, reply, outputs = channels.execute(job_code)
        self.check_ok(reply, outputs, 4)
        self.assertIn("job 4 started", text_of(outputs))
        # The end of a job is told to the notebook cell that started it...
        channels.wait_for_stream(job_request, "job 4 finished", CELL_TIMEOUT)

        _, reply, outputs = channels.execute("unsafe { std::ptr::null_mut::<i32>().write_volatile(1); }")
        self.assertEqual(reply["status"], "error", f"{reply}\n{text_of(outputs)}")
        self.assertEqual(reply["execution_count"], 5, reply)
        self.assertIn("SIGSEGV", reply["evalue"], reply)
        # What the notebook shows: the session's warning on stderr.
        self.assertIn("segmentation fault (SIGSEGV); the session is back at cell 3", text_of(outputs))
        # ...and again as the first output of the next cell.
        shown = [m for m in outputs if m["msg_type"] != "execute_input"]
        self.assertIn("job 4 finished", text_of(shown[:1]), outputs)

        _, reply, outputs = channels.execute("v.len()")
        self.check_ok(reply, outputs, 6)
        self.assertEqual(result_of(outputs), "3")

        # The kernel's processes, all below the gateway: tmrepl kernel, its supervisor, the
        # worker and the snapshots (the job's among them).
        processes = descendants(self.gateway.process.pid)
        commands = [cmdline for _, _, cmdline in processes]
        kernels = [c for c in commands if " kernel --connection-file " in c]
        self.assertEqual(len(kernels), 1, commands)
        self.assertTrue(any("__tmrepl_supervisor" in c for c in commands), commands)

        channels.close()
        status, _ = self.gateway.request("DELETE", f"/api/kernels/{kernel_id}")
        self.assertEqual(status, 204)
        # (Listing every kernel is off by default in the gateway; asking for this one is not.)
        status, _ = self.gateway.request("GET", f"/api/kernels/{kernel_id}")
        self.assertEqual(status, 404)
        left = wait_until_gone(processes, PROCESSES_GONE_TIMEOUT)
        self.assertEqual(left, [], "still running after DELETE")

        self.assertEqual(self.gateway.stop(), 0, self.gateway.output())
        self.assertEqual(still_running(processes), [], "still running after the gateway stopped")

    def check_ok(self, reply, outputs, count):
        self.assertEqual(reply["status"], "ok", f"{reply}\n{text_of(outputs)}")
        self.assertEqual(reply["execution_count"], count, reply)


if __name__ == "__main__":
    unittest.main()
