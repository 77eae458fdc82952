//! evcxr 0.22's own integration tests (`evcxr/tests/integration_tests.rs`), ported case by
//! case to tmrepl: each case's code is typed into the real binary (`--plain`, cells piped
//! on stdin) and its output is checked for what evcxr's test checks. Every case keeps its
//! evcxr name (`s.case("…")`), and a failure names it.
//!
//! evcxr's `eval!(e, …)` sends `stringify!(…)`; the cells here are the same `stringify!`
//! text on one line, so each evcxr evaluation is one tmrepl cell. Where evcxr sends a
//! multi-line string, its lines are joined with spaces (none of them has a `//` comment),
//! because line mode submits a cell as soon as it is complete: `mod m {…}` on a line of
//! its own would be a cell of its own. A leading `:` line is a cell of its own in line
//! mode (as typed), so evcxr's `:dep …` + code cells are sent as consecutive cells.
//!
//! evcxr runs every test on a context that was `:clear`ed (its context pool); here the
//! cases of a group share one session and each case begins with `:clear`. Cases that set
//! something (`:types`, `:fmt`, `:preserve_vars_on_panic`) set it back.
//!
//! evcxr's Rust API has no REPL equivalent in three places, so those assertions have none
//! here: `defined_item_names()` (no command lists items; the cells that call or use the
//! items stand in for it), `ctx.check(code)` (compile without running, with spans) and
//! the HTML half of a hover (line mode prints text).
//!
//! | evcxr case | ported? |
//! |---|---|
//! | `function_panics_without_variable_preserving` | ported in part: with `:preserve_vars_on_panic 0` the panic ends the process (evcxr: "Subprocess terminated"; tmrepl: "cell N crashed") and a cell that does not compile is an error. Left out: its two `variable_names_and_types() == []`, that every variable is lost. Not losing them is what tmrepl is for: a crashed cell returns the session to the snapshot of the cell before (README: "a panic … never loses what came before"), and `tests/plain.rs` asserts that they are kept. |
//! | `check_for_errors` | left out: every assertion is on `CommandContext::check`, which compiles a cell without running it and returns error spans; no command or front end of tmrepl (nor of evcxr's REPL) does that. |
//! | `crate_deps` | ported, except `check(&to_run)` is empty (see above). evcxr's first bad cell is `:dep bad = …` and `40`; the `:dep` fails, so `40` never runs there and is not sent here. |
//! | `check_for_doc` | ported, with `#[doc = "this is my struct"]` for `///this is my struct` (what it means): a comment line of its own would be a cell of its own in line mode. |
//! | `define_then_call_function`, `struct_type_inference`, `abort_and_restart` | ported, except `defined_item_names()` (see above); in `abort_and_restart` "no items after `:clear`" is asserted as `foo()` no longer resolving. |
//! | `code_completion`, `completion_fields_populated`, `command_completion_fields` | ported through tmrepl's Tab completion (`tmrepl::completion::complete`, what both line mode and the full-screen editor call) in a session driven in-process (`App`), as piped input has no Tab; `kind` is read from the engine's candidates (`CodeCompleter`), where tmrepl keeps it. `kind == "magic"` of a command is left out: tmrepl's command completions come from its own command table, not evcxr's, and carry no kind. |
//! | `hover_at_returns_content`, `hover_at_unknown_symbol_returns_fallback` | ported as `:doc CODE`: evcxr's `hover_at(src, pos)` is `:doc`'s hover on `src[..pos]`; the HTML half is left out (line mode prints text). |
//! | `printing` | ported with stdout and stderr read apart (its own session). |
//! | the other 32 cases | ported whole. |

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test or bench may panic on what it sets up

mod common;

use std::cell::RefCell;
use std::path::Path;
use std::time::{Duration, Instant};

/// evcxr's `eval!` sends its tokens as `stringify!` writes them, which breaks long
/// text into lines (never inside a literal); joined, they stay one cell in line mode.
macro_rules! cell {
    ($($t:tt)*) => {
        stringify!($($t)*).replace('\n', " ")
    };
}

/// A session's input: cells in order, each belonging to an evcxr case.
struct Script {
    cells: Vec<(&'static str, String)>,
    case: &'static str,
}

/// Where a cell is in the script.
#[derive(Clone, Copy)]
struct CellId(usize);

impl Script {
    fn new() -> Script {
        Script {
            cells: Vec::new(),
            case: "(start)",
        }
    }

    /// Starts evcxr case `name` on a cleared session, as evcxr's context pool gives it.
    fn case(&mut self, name: &'static str) {
        if !self.cells.is_empty() {
            self.cells.push((name, ":clear".to_owned()));
        }
        self.case = name;
    }

    fn cell(&mut self, text: impl Into<String>) -> CellId {
        let text = text.into();
        assert!(
            !text.trim().is_empty(),
            "an empty cell is skipped by line mode"
        );
        self.cells.push((self.case, text));
        CellId(self.cells.len() - 1)
    }

    /// Lines joined with spaces: one cell in line mode, as it is one in evcxr.
    fn joined(&mut self, text: &str) -> CellId {
        let line: Vec<&str> = text.lines().map(str::trim).collect();
        self.cell(line.join(" ").trim().to_owned())
    }

    /// Runs the script in a fresh tmrepl with stdout and stderr on one pipe, so every
    /// line stays in the order it was written.
    fn run(self) -> Run {
        let started = Instant::now();
        let data = tempfile::tempdir().unwrap();
        let mut input = String::new();
        for (_, text) in &self.cells {
            input.push_str(text);
            input.push('\n');
        }
        let mut command = common::tmrepl();
        command.arg("--data-dir").arg(data.path());
        let (status, transcript) = common::run_merged(command, input, Duration::from_secs(900));
        eprintln!(
            "[evcxr_cases] {} cells in {:.1} s",
            self.cells.len(),
            started.elapsed().as_secs_f64()
        );
        let run = Run::parse(self.cells, transcript);
        assert!(status.success(), "tmrepl failed: {status}\n{}", run.text);
        run
    }
}

/// What one cell printed: its echo (`In [n]: …` or `>> :command`) and the lines after it.
struct Block {
    number: Option<u32>,
    lines: Vec<String>,
}

struct Run {
    cells: Vec<(&'static str, String)>,
    blocks: Vec<Block>,
    text: String,
    failures: RefCell<Vec<String>>,
}

/// A line that says a cell or command failed, in tmrepl's words: a compile error
/// (`[E0308] Error: …`, `Error: …`), a failed command (`error: …`), a panic, a crash, or
/// evcxr's refusal to keep a variable.
fn is_failure_line(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("error:")
        || line.starts_with("Error:")
        || (line.starts_with('[') && line.contains("] Error:"))
        || (line.starts_with("cell ") && line.ends_with(" panicked"))
        || (line.starts_with("warning: cell ") && line.contains(" crashed"))
        || line.contains("cannot be persisted")
}

/// Compile errors shown: `[E0432] Error: …` or `Error: …` lines.
fn error_lines(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .map(String::as_str)
        .filter(|l| l.starts_with("Error:") || (l.starts_with('[') && l.contains("] Error:")))
        .collect()
}

impl Run {
    fn parse(cells: Vec<(&'static str, String)>, text: String) -> Run {
        let mut blocks: Vec<Block> = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("In [")
                && let Some((number, _)) = rest.split_once("]: ")
                && let Ok(number) = number.parse::<u32>()
            {
                blocks.push(Block {
                    number: Some(number),
                    lines: Vec::new(),
                });
            } else if line.starts_with(">> ") {
                blocks.push(Block {
                    number: None,
                    lines: Vec::new(),
                });
            } else if line.starts_with("   ...: ") {
                // The rest of a multi-line cell's echo.
            } else if let Some(block) = blocks.last_mut() {
                block.lines.push(line.to_owned());
            }
        }
        assert_eq!(
            blocks.len(),
            cells.len(),
            "each line of the script should be one cell\n{text}"
        );
        for ((_, cell), block) in cells.iter().zip(&blocks) {
            assert_eq!(
                block.number.is_none(),
                cell.starts_with(':'),
                "cell {cell:?} was not read as one cell\n{text}"
            );
        }
        Run {
            cells,
            blocks,
            text,
            failures: RefCell::new(Vec::new()),
        }
    }

    fn block(&self, id: CellId) -> &Block {
        &self.blocks[id.0]
    }

    /// What the cell printed after its echo.
    fn body(&self, id: CellId) -> String {
        self.block(id).lines.join("\n")
    }

    /// Records a failed expectation of the cell's case.
    fn expect(&self, id: CellId, holds: bool, what: &str) {
        if !holds {
            let (case, cell) = &self.cells[id.0];
            let number = match self.block(id).number {
                Some(n) => format!("In [{n}]"),
                None => ">>".to_owned(),
            };
            self.failures.borrow_mut().push(format!(
                "evcxr case `{case}`: {what}\n  cell {number}: {cell}\n  printed:\n{}",
                indent(&self.body(id))
            ));
        }
    }

    /// evcxr's `eval_and_unwrap` / `.unwrap()`: the cell ran without an error.
    fn ok(&self, id: CellId) {
        let failed = self.block(id).lines.iter().any(|l| is_failure_line(l));
        self.expect(id, !failed, "expected it to run without an error");
    }

    /// evcxr's `.is_err()`.
    fn fails(&self, id: CellId) {
        let failed = self.block(id).lines.iter().any(|l| is_failure_line(l));
        self.expect(id, failed, "expected an error");
    }

    /// evcxr's `text_plain(expected)`: `Out[n]: expected`, and no error.
    fn out(&self, id: CellId, expected: &str) {
        self.ok(id);
        let block = self.block(id);
        let value = block.number.and_then(|n| {
            let prefix = format!("Out[{n}]: ");
            block
                .lines
                .iter()
                .find_map(|l| l.strip_prefix(prefix.as_str()).map(str::to_owned))
        });
        self.expect(
            id,
            value.as_deref() == Some(expected),
            &format!("expected the value {expected:?}, got {value:?}"),
        );
    }

    /// evcxr's `Error::Message(message)`: what the cell printed, without line mode's
    /// `error: ` before it.
    fn error_message(&self, id: CellId) -> String {
        let body = self.body(id);
        match body.strip_prefix("error: ") {
            Some(message) => message.to_owned(),
            None => body,
        }
    }

    fn contains(&self, id: CellId, needle: &str) {
        self.expect(
            id,
            self.body(id).contains(needle),
            &format!("expected output containing {needle:?}"),
        );
    }

    /// The output of a command, exactly (evcxr's `text/plain` of a command).
    fn says(&self, id: CellId, expected: &str) {
        let body = self.body(id);
        self.expect(
            id,
            body.trim_end() == expected,
            &format!("expected exactly {expected:?}"),
        );
    }

    /// A `:vars` block as (name, type), sorted, as evcxr's `variables_and_types()`.
    fn vars(&self, id: CellId) -> Vec<(String, String)> {
        let lines = &self.block(id).lines;
        let Some(header) = lines.iter().position(|l| l.starts_with("name ")) else {
            return Vec::new();
        };
        let head = &lines[header];
        let type_at = head.find("type").unwrap();
        let changed_at = head.find("last changed").unwrap();
        let mut vars: Vec<(String, String)> = lines[header + 1..]
            .iter()
            .filter(|l| l.len() > type_at)
            .map(|l| {
                let name = l[..type_at].trim().to_owned();
                let ty = l.get(type_at..changed_at).unwrap_or(&l[type_at..]);
                (name, ty.trim().to_owned())
            })
            .collect();
        vars.sort();
        vars
    }

    fn vars_are(&self, id: CellId, expected: &[(&str, &str)]) {
        let got = self.vars(id);
        let want: Vec<(String, String)> = expected
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        self.expect(
            id,
            got == want,
            &format!("expected the variables {want:?}, got {got:?}"),
        );
    }

    /// Panics with every failed expectation, by case, and the whole transcript.
    fn finish(self) {
        if std::env::var_os("EVCXR_CASES_SHOW").is_some() {
            eprintln!("--- transcript\n{}", self.text);
        }
        let failures = self.failures.into_inner();
        if !failures.is_empty() {
            panic!(
                "{} evcxr expectation(s) failed:\n\n{}\n\n--- transcript\n{}",
                failures.len(),
                failures.join("\n\n"),
                self.text
            );
        }
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// evcxr's `TmpCrate`: a library crate in a temporary folder.
struct TmpCrate {
    name: String,
    dir: tempfile::TempDir,
}

impl TmpCrate {
    fn new(name: &str, src: &str) -> TmpCrate {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.0.1\"\nedition = \"2018\"\n"),
        )
        .unwrap();
        std::fs::write(dir.path().join("src/lib.rs"), src).unwrap();
        TmpCrate {
            name: name.to_owned(),
            dir,
        }
    }

    fn path(&self) -> String {
        path_text(self.dir.path())
    }

    /// evcxr's `dep_command`.
    fn dep_command(&self, extra_options: &str) -> String {
        if extra_options.is_empty() {
            format!(":dep {}", self.path())
        } else {
            format!(
                ":dep {} = {{ path = \"{}\", {} }}",
                self.name,
                self.path(),
                extra_options
            )
        }
    }
}

fn path_text(path: &Path) -> String {
    path.to_str().unwrap().replace('\\', "\\\\")
}

/// Cases about evaluating code: values, items, statements, compile errors.
#[test]
fn evcxr_cases_evaluation() {
    let mut s = Script::new();

    s.case("single_statement");
    let single = s.cell(cell!(assert_eq!(40i32 + 2, 42)));

    s.case("save_and_restore_variables");
    let sr1 = s.cell(cell!(let mut a = 34; let b = 8;));
    let sr2 = s.cell(cell!(a = a + b;));
    let sr3 = s.cell(cell!(a));
    let sr_assign = s.cell("b = 2;");
    let sr4 = s.joined(
        r#"
        pub mod foo {
            pub mod bar {
                pub struct Baz {}
                impl Baz {
                    pub fn r42(&self) -> i32 {42}
                }
            }
        }
        fn create_baz() -> Result<Option<foo::bar::Baz>, i32> {
            Ok(Some(foo::bar::Baz {}))
        }
    "#,
    );
    let sr5 = s.cell("let v1 = create_baz()?;");
    let sr6 = s.cell("let v2 = create_baz()?;");
    let sr7 = s.cell("v1.unwrap().r42() + v2.unwrap().r42()");

    s.case("missing_semicolon_on_let_stmt");
    let ms1 = s.cell("mod foo {pub mod bar { pub struct Baz {} }}");
    let ms2 = s.cell("let v1 = foo::bar::Baz {}");

    s.case("rc_refcell_etc");
    let rc1 = s.cell(cell!(
        use std::cell::RefCell; use std::rc::Rc;
        let r: Rc<RefCell<String>> = Rc::new(RefCell::new(String::new()));
        let r2: Rc<RefCell<String>> = Rc::clone(&r);
    ));
    let rc2 = s.cell(cell!(
        r.borrow_mut().push_str("f");
        let s = "oo";
    ));
    let rc3 = s.cell(cell!(
        r.borrow_mut().push_str(s);
        assert!(*r.borrow() == "foo");
    ));

    s.case("define_then_call_function");
    let df1 = s.cell(cell!(
        pub fn bar() -> i32 {
            42
        }
    ));
    let df2 = s.cell(cell!(
        pub fn foo() -> i32 {
            bar()
        }
        assert_eq!(foo(), 42);
    ));

    s.case("tls_implementing_drop");
    let tls1 = s.cell(cell!(
        pub struct Foo {}
        impl Drop for Foo {
            fn drop(&mut self) {
                println!("Dropping Foo");
            }
        }
        pub fn init_foo() {
            thread_local! {
                pub static FOO: Foo = Foo {};
            }
            FOO.with(|f| ())
        }
    ));
    let tls2 = s.cell(cell!(init_foo();));

    s.case("moved_value");
    let mv1 = s.cell(cell!(let a = Some("foo".to_owned());));
    let mv_vars1 = s.cell(":vars");
    let mv2 = s.cell(cell!(a.unwrap()));
    let mv_vars2 = s.cell(":vars");

    s.case("invalid_code");
    let invalid = s.cell("use crate;");

    s.case("struct_type_inference");
    let st1 = s.cell(cell!(
        #[derive(Debug)]
        pub struct Point {
            pub x: i32,
            pub y: i32,
        }
    ));
    let st2 = s.cell(cell!(let p1 = Point {x: 3, y: 8};));
    let st3 = s.cell(cell!(p1));
    let st4 = s.cell(cell!(let Point {x, y: y2} = p1;));
    let st5 = s.cell(cell!(
        assert_eq!(x, 3);
        assert_eq!(y2, 8);
    ));

    s.case("non_concrete_types");
    let nc1 = s.cell(cell!(let a = (42, 3.14);));
    let nc_vars = s.cell(":vars");

    s.case("statement_and_expression");
    let se = s.cell(cell!(let a = "foo".to_owned() + "bar"; a));

    s.case("continue_execution_after_bad_use_statement");
    let cb1 = s.cell("use foobar;");
    let cb2 = s.cell(cell!("f".to_string() + "oo"));

    s.case("error_from_macro_expansion");
    let macro_error = "let mut s = String::new(); s.push_str(format!(\"\"));";
    let em = s.cell(macro_error);

    s.case("multiple_identical_use_statements");
    let mu1 = s.cell(cell!(
        use std::collections::HashMap;
    ));
    let mu2 = s.cell(cell!(
        use std::collections::HashMap;
    ));

    s.case("variable_assignment_compile_fail_then_use_statement");
    let va1 = s.cell(cell!(let v = foo();));
    let va2 = s.cell(cell!(
        use std::collections::HashMap;
    ));
    let va3 = s.cell(cell!(42));

    s.case("int_array");
    let ia1 = s.cell(cell!(let v = [42; 5];));
    let ia2 = s.cell(cell!(assert_eq!(v[4], 42)));

    s.case("const_generics_with_explicit_type");
    let cg1 = s.cell(cell!(
        struct Foo<const I: usize> {
            data: [u8; I],
        }
        let foo: Foo<3> = Foo::<3> { data: [41, 42, 43] };
    ));
    let cg2 = s.cell(cell!(assert_eq!(foo.data[1], 42)));

    s.case("reserved_words");
    let rw = s.cell(cell!(
        mod r#async { pub struct Foo {} }
        let v = r#async::Foo {};
    ));

    s.case("partially_inferred_variable_type");
    let pi1 = s.cell(cell!(let v : Vec<_> = (1..10).collect();));
    let pi2 = s.cell(cell!(assert_eq!(v.len(), 9);));

    s.case("format");
    let fm = s.cell(cell!(format!("{:2x}", 2)));

    s.case("non_semi_statements");
    let ns = s.cell(cell!(
        for a in 1..5 {}
        for b in 1..5 {}
        42
    ));

    s.case("partial_destructuring");
    let pd1 = s.cell(cell!(
        let _ = 1;
        let (x, ..) = (42, 43, 44);
    ));
    let pd2 = s.cell(cell!(x));

    s.case("define_then_call_macro");
    let dm1 = s.cell(cell!(
        macro_rules! foo {
            ($a:expr) => {
                40 + $a
            };
        }
    ));
    let dm2 = s.cell(cell!(foo!(2)));

    s.case("repeated_use_statements");
    let ru1 = s.joined(
        r#"
        mod foo {
            pub struct Bar {}
            impl Bar {
                pub fn result() -> i32 {
                    42
                }
                pub fn new() -> Bar { Bar {} }
            }
            pub struct Baz {}
            pub trait Foo {
                fn do_foo(&self) -> i32 {42}
            }
            impl Foo for Bar {}
            pub mod s1 {
                pub fn f1() {}
            }
            pub mod s2 {
                pub fn f2() {}
            }
        }
        use std::iter::Iterator as _;
        use foo::Foo as _;
        use foo::s1::*;
        use foo::s2::*;
        use foo::Bar;"#,
    );
    let ru2 = s.cell("use this::will::fail;");
    let ru3 = s.cell("use foo::Bar as _; Bar::result()");
    let ru4 = s.cell("use foo::{Bar, Baz}; f1(); f2(); Bar::new().do_foo()");

    let r = s.run();

    // single_statement
    r.ok(single);

    // save_and_restore_variables
    r.ok(sr1);
    r.ok(sr2);
    r.out(sr3, "42");
    let assign = r.body(sr_assign);
    r.expect(
        sr_assign,
        assign.contains("[E0594]") || assign.contains("[E0384]"),
        "expected error E0594 or E0384",
    );
    r.ok(sr4);
    r.ok(sr5);
    r.ok(sr6);
    r.out(sr7, "84");

    // missing_semicolon_on_let_stmt: the first error's message mentions `;`.
    r.ok(ms1);
    let errors = error_lines(&r.block(ms2).lines);
    r.expect(
        ms2,
        errors.first().is_some_and(|e| e.contains(';')),
        "expected a first error whose message contains ';'",
    );

    // rc_refcell_etc
    r.ok(rc1);
    r.ok(rc2);
    r.ok(rc3);

    // define_then_call_function
    r.ok(df1);
    r.ok(df2);

    // tls_implementing_drop
    r.ok(tls1);
    r.ok(tls2);

    // moved_value
    r.ok(mv1);
    r.vars_are(mv_vars1, &[("a", "Option<String>")]);
    r.out(mv2, "\"foo\"");
    r.vars_are(mv_vars2, &[]);
    r.contains(mv_vars2, "no variables");

    // invalid_code
    r.fails(invalid);

    // struct_type_inference
    r.ok(st1);
    r.ok(st2);
    r.ok(st3);
    r.ok(st4);
    r.ok(st5);

    // non_concrete_types
    r.ok(nc1);
    r.vars_are(nc_vars, &[("a", "(i32, f64)")]);

    // statement_and_expression
    r.out(se, "\"foobar\"");

    // continue_execution_after_bad_use_statement: exactly one error, E0432.
    let errors = error_lines(&r.block(cb1).lines);
    r.expect(
        cb1,
        errors.len() == 1 && errors[0].starts_with("[E0432]"),
        &format!("expected exactly one error, E0432; got {errors:?}"),
    );
    r.out(cb2, "\"foo\"");

    // error_from_macro_expansion: one error, E0308, reported on the user's line only.
    let errors = error_lines(&r.block(em).lines);
    r.expect(
        em,
        errors.len() == 1 && errors[0].starts_with("[E0308]"),
        &format!("expected exactly one error, E0308; got {errors:?}"),
    );
    let shown: Vec<&str> = r
        .block(em)
        .lines
        .iter()
        .filter_map(|l| source_line(l))
        .collect();
    r.expect(
        em,
        !shown.is_empty() && shown.iter().all(|l| *l == macro_error),
        &format!("expected the error shown on the user's line only; got {shown:?}"),
    );

    // multiple_identical_use_statements
    r.ok(mu1);
    r.ok(mu2);

    // variable_assignment_compile_fail_then_use_statement
    r.fails(va1);
    r.ok(va2);
    r.out(va3, "42");

    // int_array
    r.ok(ia1);
    r.ok(ia2);

    // const_generics_with_explicit_type
    r.ok(cg1);
    r.ok(cg2);

    // reserved_words
    r.ok(rw);

    // partially_inferred_variable_type
    r.ok(pi1);
    r.ok(pi2);

    // format
    r.out(fm, "\" 2\"");

    // non_semi_statements
    r.out(ns, "42");

    // partial_destructuring
    r.ok(pd1);
    r.out(pd2, "42");

    // define_then_call_macro
    r.ok(dm1);
    r.out(dm2, "42");

    // repeated_use_statements
    r.ok(ru1);
    r.fails(ru2);
    r.out(ru3, "42");
    r.out(ru4, "42");

    r.finish();
}

/// The source text of a line of an error's snippet (` 1 │ let x = …`).
fn source_line(line: &str) -> Option<&str> {
    let (number, text) = line.split_once(" │ ")?;
    let number = number.trim();
    (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit())).then_some(text.trim_end())
}

/// Cases about the session's state and evcxr's settings: type redefinition, a crashing
/// cell, variables that cannot be kept, panics, `?`, `:types`, `:fmt`, `:efmt`, `:doc`.
#[test]
fn evcxr_cases_state_and_settings() {
    let mut s = Script::new();

    s.case("redefine_type_with_existing_var");
    let rt1 = s.cell(cell!(
        struct Foo {x: i32}
        let f1 = Foo {x: 42};
        let f2 = Foo {x: 42};
    ));
    let rt_vars1 = s.cell(":vars");
    let rt2 = s.cell(cell!(
        struct Foo { x: i32, y: i32 }
        let f3 = Foo {x: 42, y: 43};
    ));
    let rt_vars2 = s.cell(":vars");
    let rt3 = s.cell(cell!(
        assert_eq!(f3.x, 42);
    ));

    s.case("abort_and_restart");
    let ar1 = s.cell(cell!(
        pub fn foo() -> i32 {
            42
        }
        let a = 42i32;
    ));
    let ar_abort = s.cell(cell!(std::process::abort();));
    let ar2 = s.cell(cell!(assert_eq!(foo(), 42)));
    let ar_clear = s.cell(":clear");
    let ar3 = s.cell(cell!(assert_eq!(40 + 2, 42);));
    // evcxr: `defined_item_names()` is empty after `:clear`.
    let ar_gone = s.cell(cell!(foo()));

    s.case("unnamable_type_closure");
    let uc = s.cell(cell!(let v = || {42};));

    s.case("unnamable_type_impl_trait");
    let ui = s.cell(cell!(
        pub trait Bar {}
        impl Bar for i32 {}
        pub fn foo() -> impl Bar {42}
        let v = foo();
    ));

    s.case("function_panics_with_variable_preserving");
    let fp_set = s.cell(":preserve_vars_on_panic 1");
    let fp1 = s.cell(cell!(let a = vec![1, 2, 3]; let b = 42;));
    let fp_panic = s.cell(cell!(panic!("Intentional panic {}", b);));
    let fp2 = s.cell(cell!(format!("{:?}, {}", a, b)));

    s.case("function_panics_without_variable_preserving");
    let np_set = s.cell(":preserve_vars_on_panic 0");
    let np1 = s.cell(cell!(let a = vec![1, 2, 3]; let b = 42;));
    let np_panic = s.cell(cell!(panic!("Intentional panic {}", b);));
    let np_bad = s.cell("This will not compile");
    s.cell(":preserve_vars_on_panic 1");

    s.case("display_type");
    let dt_on = s.cell(":types");
    let dt1 = s.cell(cell!(42));
    let dt2 = s.cell(cell!(Some("hello".to_string())));
    let dt_off = s.cell(":types");
    let dt3 = s.cell(cell!(42));

    s.case("shorten_type_name");
    let sn_fmt = s.cell(":fmt {}");
    let sn_types = s.cell(":types");
    let sn1 = s.cell(cell!(evcxr_shorten_type("alloc::string::String")));
    let sn2 = s.cell(cell!(evcxr_shorten_type(
        "core::option::Option<alloc::string::String>"
    )));
    let sn3 = s.cell(cell!(evcxr_shorten_type("i32")));
    // Back to evcxr's defaults, as its context pool does.
    s.cell(":types");
    s.cell(":fmt {:?}");

    s.case("question_mark_operator");
    let qm1 = s.cell(cell!(std::fs::read_to_string("/does/not/exist")?;));
    let qm_bad = s.cell(":efmt x");
    let qm_efmt = s.cell(":efmt {:?}");
    let qm2 = s.cell(cell!(
        let owned = "owned".to_string();
        let copy = 40;
        let mut owned_mut = "owned_mut".to_string();
        let mut copy_mut = 41;
    ));
    let qm3 = s.cell(cell!(
        use std::io::Result;
        owned_mut.push_str("42");
        copy_mut += 1;
        let copy = 42;
        let copy2 = 42;
        std::fs::read_to_string("/does/not/exist")?;
        owned_mut.push_str("------");
        copy_mut += 10;
    ));
    let qm_vars = s.cell(":vars");
    let qm4 = s.cell(cell!(
        assert_eq!(owned, "owned");
        assert_eq!(owned_mut, "owned_mut42");
        assert_eq!(copy_mut, 42);
    ));

    s.case("check_for_doc");
    // `#[doc = "…"]` is what `///this is my struct` means; a line of its own would be a
    // cell of its own in line mode.
    let cd1 = s.cell("#[doc = \"this is my struct\"] struct MyStruct(usize);");
    let cd_doc = s.cell(":doc MyStruct");

    s.case("hover_at_returns_content");
    // `hover_at(src, end of "Vec::new")` is the hover on `src` up to there.
    let src = "let _v: Vec<i32> = Vec::new()";
    let pos = src.find("Vec::new").unwrap() + "Vec::new".len();
    let ha = s.cell(format!(":doc {}", &src[..pos]));

    s.case("hover_at_unknown_symbol_returns_fallback");
    let hu = s.cell(":doc totally_unknown_function_xyz()");

    let r = s.run();

    // redefine_type_with_existing_var: f1 and f2 are dropped with the old Foo.
    r.ok(rt1);
    r.vars_are(rt_vars1, &[("f1", "Foo"), ("f2", "Foo")]);
    r.ok(rt2);
    r.vars_are(rt_vars2, &[("f3", "Foo")]);
    r.ok(rt3);

    // abort_and_restart: evcxr says "Subprocess terminated with status: signal: 6".
    r.ok(ar1);
    r.contains(ar_abort, "SIGABRT");
    r.ok(ar2);
    r.ok(ar_clear);
    r.ok(ar3);
    r.contains(ar_gone, "cannot find function `foo`");

    // unnamable_type_closure
    r.fails(uc);
    let body = r.error_message(uc);
    r.expect(
        uc,
        body.starts_with("The variable") && body.contains("cannot be persisted"),
        "expected \"The variable … cannot be persisted\"",
    );

    // unnamable_type_impl_trait
    r.fails(ui);
    let body = r.error_message(ui);
    r.expect(
        ui,
        body.starts_with("The variable `v` has type") && body.contains("cannot be persisted"),
        "expected \"The variable `v` has type … cannot be persisted\"",
    );

    // function_panics_with_variable_preserving: the panic is reported, a and b kept.
    r.ok(fp_set);
    r.ok(fp1);
    r.contains(fp_panic, "Intentional panic 42");
    r.out(fp2, "\"[1, 2, 3], 42\"");

    // function_panics_without_variable_preserving: the panic ends the process.
    r.ok(np_set);
    r.ok(np1);
    r.contains(np_panic, "Intentional panic 42");
    r.expect(
        np_panic,
        r.block(np_panic)
            .lines
            .iter()
            .any(|l| l.starts_with("warning: cell ") && l.contains(" crashed")),
        "expected the process to end (evcxr: \"Subprocess terminated\")",
    );
    r.fails(np_bad);

    // display_type
    r.says(dt_on, "Types: true");
    r.out(dt1, ": i32 = 42");
    r.out(dt2, ": Option<String> = Some(\"hello\")");
    r.says(dt_off, "Types: false");
    r.out(dt3, "42");

    // shorten_type_name
    r.ok(sn_fmt);
    r.ok(sn_types);
    r.out(sn1, ": String = String");
    r.out(sn2, ": String = Option<String>");
    r.out(sn3, ": String = i32");

    // question_mark_operator: the early return drops the variables the cell made new
    // (`copy` was shadowed, `copy2` new) and keeps the changes made before it.
    r.ok(qm1);
    r.fails(qm_bad);
    r.ok(qm_efmt);
    r.ok(qm2);
    r.ok(qm3);
    r.vars_are(
        qm_vars,
        &[
            ("copy_mut", "i32"),
            ("owned", "String"),
            ("owned_mut", "String"),
        ],
    );
    r.ok(qm4);

    // check_for_doc
    r.ok(cd1);
    r.says(
        cd_doc,
        "ctx\n\nstruct MyStruct(usize)\n\n\nthis is my struct",
    );

    // hover_at_returns_content: the plain text is not empty.
    r.ok(ha);
    r.expect(ha, !r.body(ha).trim().is_empty(), "expected documentation");

    // hover_at_unknown_symbol_returns_fallback: no error, and some text.
    r.ok(hu);
    r.expect(hu, !r.body(hu).trim().is_empty(), "expected some text");

    r.finish();
}

/// printing: stdout and stderr of a cell each arrive, in order, on their own stream;
/// print_then_assign_variable rides along.
#[test]
fn evcxr_cases_printing() {
    let printing = cell!(
        println!("This is stdout");
        eprintln!("This is stderr");
        println!("Another stdout line");
        eprintln!("Another stderr line");
    );
    let script = format!(
        "{printing}\n{}\n{}\n",
        cell!(println!("Hello, world!");),
        cell!(let x = 42;)
    );
    let t = common::run_script(&script);
    let all = t.all();
    assert!(t.success, "{all}");
    let mut failures = Vec::new();
    let stdout: Vec<&str> = t.stdout.lines().collect();
    let stderr: Vec<&str> = t.stderr.lines().collect();
    let in_order = |lines: &[&str], wanted: &[&str]| {
        let found: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| wanted.contains(l))
            .collect();
        found == wanted
    };
    if !in_order(&stdout, &["This is stdout", "Another stdout line"]) {
        failures.push("evcxr case `printing`: stdout lines missing or out of order");
    }
    if !in_order(&stderr, &["This is stderr", "Another stderr line"]) {
        failures.push("evcxr case `printing`: stderr lines missing or out of order");
    }
    // print_then_assign_variable: both cells run.
    if !t.stdout.contains("Hello, world!")
        || !t.stdout.contains("In [3]: let x = 42;")
        || t.stderr.lines().any(is_failure_line)
    {
        failures.push("evcxr case `print_then_assign_variable`: a cell failed");
    }
    assert!(failures.is_empty(), "{failures:?}\n{all}");
}

/// crate_deps: path dependencies, a bad one and a bad feature refused, and a static in a
/// dependency that keeps its value from one cell to the next.
#[test]
fn evcxr_cases_crate_deps() {
    let crate1 = TmpCrate::new(
        "crate1",
        stringify! {
            use std::sync::atomic::AtomicU32;

            static FOO: AtomicU32 = AtomicU32::new(0);

            pub fn r20() -> i32 {20}

            pub fn set_value(v: u32) {
                FOO.store(v, std::sync::atomic::Ordering::SeqCst);
            }

            pub fn get_value() -> u32 {
                FOO.load(std::sync::atomic::Ordering::SeqCst)
            }
        },
    );
    let crate2 = TmpCrate::new("crate2", "pub fn r22() -> i32 {22}");
    let mut s = Script::new();
    s.case("crate_deps");
    let dynamic = s.cell(":allow_static_linking 0");
    // evcxr's cell is this line and `40`; the failing `:dep` stops it before `40`.
    let bad = s.cell(r#":dep bad = { path = "this_path_does_not_exist"}"#);
    let feature = s.cell(crate1.dep_command(r#"features = ["no_such_feature"]"#));
    let dep1 = s.cell(crate1.dep_command(""));
    let dep2 = s.cell(crate2.dep_command(""));
    let sum = s.cell(cell!(
        crate1::set_value(765);
        crate1::r20() + crate2::r22()
    ));
    let kept = s.cell(cell!(crate1::get_value()));
    let r = s.run();
    r.ok(dynamic);
    r.fails(bad);
    r.fails(feature);
    r.contains(feature, "no_such_feature");
    r.ok(dep1);
    r.ok(dep2);
    r.out(sum, "42");
    r.out(kept, "765");
    r.finish();
}

/// crate_show_deps, then crate_name_with_hyphens in the same session (after it, so that
/// `:show_deps` lists only crate_show_deps's crates).
#[test]
fn evcxr_cases_show_deps_and_hyphens() {
    let crate1 = TmpCrate::new("crate1", "");
    let crate2 = TmpCrate::new("crate2", "");
    let hyphens = TmpCrate::new("crate-name-with-hyphens", "pub fn r42() -> i32 {42}");
    let option1 = "version = \"0.0.1\"";
    let mut s = Script::new();
    s.case("crate_show_deps");
    let none = s.cell(":show_deps");
    let dep1 = s.cell(crate1.dep_command(option1));
    let dep2 = s.cell(crate2.dep_command(""));
    let shown = s.cell(":show_deps");
    s.case("crate_name_with_hyphens");
    let dep3 = s.cell(hyphens.dep_command(""));
    // evcxr's cell has these two lines after the `:dep` line.
    let call = s.cell("use crate_name_with_hyphens; crate_name_with_hyphens::r42()");
    let r = s.run();

    // evcxr's `:show_deps` prints nothing here; tmrepl says so in words (README).
    let body = r.body(none);
    r.expect(
        none,
        matches!(body.trim(), "" | "no dependencies"),
        "expected no dependencies",
    );
    r.ok(dep1);
    r.ok(dep2);
    r.says(
        shown,
        &format!(
            "crate1 = {{ path = \"{path1}\", {option1} }}\ncrate2 = {{ path = \"{path2}\" }}",
            path1 = crate1.path(),
            path2 = crate2.path()
        ),
    );
    r.ok(dep3);
    r.out(call, "42");
    r.finish();
}

/// code_completion, completion_fields_populated, command_completion_fields: Tab's
/// completions (`tmrepl::completion::complete`, as line mode and the full-screen editor
/// ask them) in a session driven in-process. The engine finds the runtime through
/// `TMREPL_EXE`, which must be set before any thread starts, so the test runs itself in
/// a child process with it set.
#[test]
fn evcxr_cases_completion() {
    const CHILD: &str = "TMREPL_EVCXR_CASES_COMPLETION_CHILD";
    if std::env::var_os(CHILD).is_none() {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "evcxr_cases_completion",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .env(tmrepl::runtime::EXE_ENV, env!("CARGO_BIN_EXE_tmrepl"))
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "{all}");
        assert!(all.contains("1 passed"), "{all}");
        return;
    }
    completion_cases();
}

fn completion_cases() {
    use tmrepl::app::App;
    use tmrepl::completion::complete;

    let data = tempfile::tempdir().unwrap();
    let mut app = App::new(tmrepl::session::Settings::default());
    app.set_data_dir(Some(data.path().to_owned()));
    let settle = |app: &mut App| {
        let deadline = Instant::now() + Duration::from_secs(300);
        while app.is_busy() {
            assert!(Instant::now() < deadline, "the session did not settle");
            if let Ok(message) = app.messages().recv_timeout(Duration::from_millis(100)) {
                let _ = app.handle(message);
            }
        }
    };
    settle(&mut app);
    let mut failures: Vec<String> = Vec::new();
    let mut expect = |case: &str, holds: bool, what: String| {
        if !holds {
            failures.push(format!("evcxr case `{case}`: {what}"));
        }
    };
    let variables = |app: &App| -> Vec<String> {
        app.session()
            .current_vars()
            .iter()
            .map(|v| v.name.clone())
            .collect()
    };
    let inserts = |found: &tmrepl::completion::Completions| -> Vec<String> {
        found.candidates.iter().map(|c| c.insert.clone()).collect()
    };

    // code_completion
    let case = "code_completion";
    let _ = app.submit(
        r#"
        mod bar {
            pub struct Baz {}
            impl Baz {
                pub fn fff5() {}
            }
        }
        let var1 = 42;
        let var2 = String::new();"#,
    );
    settle(&mut app);
    let vars = variables(&app);
    expect(
        case,
        vars.contains(&"var1".to_owned()) && vars.contains(&"var2".to_owned()),
        format!("the first cell should define var1 and var2; variables: {vars:?}"),
    );
    let code = r#"
        fn foo() -> Vec<String> {
            vec![]
        }
        foo().res"#;
    let found = complete(code, code.len(), &vars, Some(&app.code_completer()));
    let names = inserts(&found);
    expect(
        case,
        !names.is_empty(),
        "expected completions of `foo().res`".into(),
    );
    expect(
        case,
        names.iter().any(|c| c == "reserve(additional)"),
        format!("expected reserve(additional) in {names:?}"),
    );
    expect(
        case,
        names.iter().all(|c| c.starts_with("res")),
        format!("expected only completions starting with res: {names:?}"),
    );
    expect(
        case,
        (found.start, found.end) == (code.len() - "res".len(), code.len()),
        format!(
            "expected the range {}..{}, got {}..{}",
            code.len() - 3,
            code.len(),
            found.start,
            found.end
        ),
    );
    let found = complete(":de", 3, &vars, Some(&app.code_completer()));
    expect(
        case,
        (found.start, found.end) == (0, 3),
        format!(
            "`:de`: expected the range 0..3, got {}..{}",
            found.start, found.end
        ),
    );
    expect(
        case,
        inserts(&found) == [":dep"],
        format!("`:de`: expected [\":dep\"], got {:?}", inserts(&found)),
    );
    let nothing = code.replace("res", "asdfasdf");
    let found = complete(&nothing, nothing.len(), &vars, Some(&app.code_completer()));
    expect(
        case,
        found.candidates.is_empty(),
        format!("`.asdfasdf`: expected none, got {:?}", inserts(&found)),
    );
    let found = inserts(&complete(
        "let _ = v",
        9,
        &vars,
        Some(&app.code_completer()),
    ));
    expect(
        case,
        found.contains(&"var1".to_owned())
            && found.contains(&"var2".to_owned())
            && !found.contains(&"vars_ok".to_owned()),
        format!("`let _ = v`: expected var1 and var2, not vars_ok: {found:?}"),
    );
    let found = inserts(&complete(
        "let _ = e",
        9,
        &vars,
        Some(&app.code_completer()),
    ));
    expect(
        case,
        ![
            "evcxr_variable_store",
            "evcxr_internal_runtime",
            "evcxr_analysis_wrapper",
        ]
        .iter()
        .any(|internal| found.contains(&internal.to_string())),
        format!("`let _ = e`: evcxr's internal names offered: {found:?}"),
    );
    let code = "use bar::";
    let found = inserts(&complete(
        code,
        code.len(),
        &vars,
        Some(&app.code_completer()),
    ));
    expect(
        case,
        found.contains(&"Baz".to_owned()),
        format!("`use bar::`: expected Baz in {found:?}"),
    );
    let code = "use bar::Baz; Baz::";
    let found = inserts(&complete(
        code,
        code.len(),
        &vars,
        Some(&app.code_completer()),
    ));
    expect(
        case,
        found.contains(&"fff5()".to_owned()),
        format!("`use bar::Baz; Baz::`: expected fff5() in {found:?}"),
    );

    // completion_fields_populated (evcxr clears the context first; `:clear` here).
    let case = "completion_fields_populated";
    let _ = app.submit(":clear");
    settle(&mut app);
    let _ = app.submit(
        r#"
        fn foo() -> Vec<String> {
            vec![]
        }"#,
    );
    settle(&mut app);
    let vars = variables(&app);
    let code = "foo().res";
    let found = complete(code, code.len(), &vars, Some(&app.code_completer()));
    expect(
        case,
        !found.candidates.is_empty(),
        "expected completions of `foo().res`".into(),
    );
    for c in &found.candidates {
        expect(
            case,
            !c.label.is_empty(),
            format!("label should not be empty for {:?}", c.insert),
        );
    }
    let engine = app
        .code_completer()
        .complete(code, code.len(), tmrepl::completion::ENGINE_WAIT);
    match engine {
        Some(Ok(engine)) => {
            let reserve = engine
                .candidates
                .iter()
                .find(|c| c.insert == "reserve(additional)");
            expect(
                case,
                reserve.is_some_and(|c| c.kind == "function"),
                format!("expected reserve(additional) of kind function: {reserve:?}"),
            );
        }
        other => expect(
            case,
            false,
            format!("the engine gave no completions: {other:?}"),
        ),
    }

    // command_completion_fields: a command's label is its text.
    let case = "command_completion_fields";
    let found = complete(":de", 3, &vars, Some(&app.code_completer()));
    let dep = found.candidates.iter().find(|c| c.insert == ":dep");
    expect(
        case,
        dep.is_some_and(|c| c.label == c.insert),
        format!("expected :dep with its label equal to its text: {dep:?}"),
    );

    app.shutdown();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
