"""tmrepl's Jupyter kernel under the community's tools, run by tests/jupyter.rs.

jupyter_kernel_test's conformance suite against the installed kernelspec, plus a real
notebook executed by nbclient: rewinding, a segfaulting cell, a job's end, interrupt.
The kernelspec is found through JUPYTER_DATA_DIR, which the Rust test points at a
temporary folder where it ran `tmrepl kernel install --user`.
"""

import unittest

import jupyter_kernel_test
import nbformat
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

# The first cell waits for evcxr to start and builds the helper crate.
FIRST_CELL_TIMEOUT = 180


class TmreplKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "tmrepl"
    language_name = "rust"
    file_extension = ".rs"

    code_hello_world = 'println!("hello, world");'
    code_stderr = 'eprintln!("to stderr");'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "answer + 1", "result": "43"},
    ]
    code_generate_error = 'let broken: i32 = "not a number";'
    completion_samples = [{"text": ":pas", "matches": [":past"]}, {"text": "answ", "matches": ["answer"]}]
    complete_code_samples = ["1 + 1", "let x = 1;", ":vars", "fn f() {}"]
    incomplete_code_samples = ["fn f() {", 'let s = "abc', "/* open"]
    code_display_data = [
        {
            "code": 'println!("EVCXR_BEGIN_CONTENT text/html\\n<b>bold</b>\\nEVCXR_END_CONTENT");',
            "mime": "text/html",
        }
    ]
    code_inspect_sample = "answer"
    code_history_pattern = "6 * 7"
    supported_history_operations = ("tail", "range", "search")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        reply = cls.kc.execute_interactive("let answer = 42;", timeout=FIRST_CELL_TIMEOUT)
        assert reply["content"]["status"] == "ok", reply

    def test_tmrepl_interrupt_stops_the_cell_and_keeps_the_state(self):
        self.flush_channels()
        msg_id = self.kc.execute("std::thread::sleep(std::time::Duration::from_secs(60));")
        # Running: the busy status of the execute_request.
        while True:
            msg = self.kc.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input":
                break
        import time

        time.sleep(3)
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=30)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        after = self.kc.execute_interactive("answer", timeout=60)
        self.assertEqual(after["content"]["status"], "ok")


class StdinTests(unittest.TestCase):
    def test_a_cell_that_reads_stdin_asks_the_notebook(self):
        km, kc = start_new_kernel(kernel_name="tmrepl")
        try:
            reply = kc.execute_interactive(':dep evcxr_input = "1"', timeout=FIRST_CELL_TIMEOUT)
            self.assertEqual(reply["content"]["status"], "ok")
            prompts = []

            def answer(msg):
                prompts.append(msg["content"]["prompt"])
                kc.input("Ada")

            outputs = []
            reply = kc.execute_interactive(
                'let name = evcxr_input::get_string("name? "); name.len()',
                timeout=120,
                allow_stdin=True,
                stdin_hook=answer,
                output_hook=outputs.append,
            )
            self.assertEqual(reply["content"]["status"], "ok")
            self.assertEqual(prompts, ["name? "])
            results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
            self.assertEqual(results, ["3"])
        finally:
            kc.stop_channels()
            km.shutdown_kernel()


def outputs_text(cell):
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "execute_result":
            parts.append(out.data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append("\n".join(out.traceback))
    return "".join(parts)


class NotebookTests(unittest.TestCase):
    def test_a_notebook_rewinds_survives_a_segfault_and_hears_of_a_job(self):
        cells = [
            "let mut v = vec![1];",
            "v.push(2); v.len()",
            ":past 1",
            "v.len()",
            "unsafe { std::ptr::null_mut::<i32>().write_volatile(1); }",
            "v.len()",
            "& std::thread::sleep(std::time::Duration::from_millis(300)); 7",
            "std::thread::sleep(std::time::Duration::from_secs(5));",
            "1 + 1",
        ]
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        nb.cells[4].metadata["tags"] = ["raises-exception"]
        nb.metadata["kernelspec"] = {"name": "tmrepl", "display_name": "Rust (tmrepl)", "language": "rust"}
        client = NotebookClient(nb, kernel_name="tmrepl", timeout=FIRST_CELL_TIMEOUT, startup_timeout=60)
        client.execute()
        texts = [outputs_text(cell) for cell in nb.cells]
        report = "\n".join(f"[{i}] {t!r}" for i, t in enumerate(texts))
        self.assertIn("2", texts[1], report)
        self.assertIn("1", texts[3], report)
        self.assertIn("SIGSEGV", texts[4], report)
        self.assertEqual(texts[5].strip(), "1", report)
        self.assertIn("job 6 started", texts[6], report)
        # The job ended during the next cell, or told before the one after.
        self.assertIn("job 6 finished", texts[7] + texts[8], report)


if __name__ == "__main__":
    unittest.main()
