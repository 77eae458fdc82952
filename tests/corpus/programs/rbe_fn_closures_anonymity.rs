// Source: Rust by Example, github.com/rust-lang/rust-by-example src/fn/closures/anonymity.md (code block 2) (commit 898f0ac14792); MIT OR Apache-2.0
// `F` must implement `Fn` for a closure which takes no
// inputs and returns nothing - exactly what is required
// for `print`.
fn apply<F>(f: F) where
    F: Fn() {
    f();
}

fn main() {
    let x = 7;

    // Capture `x` into an anonymous type and implement
    // `Fn` for it. Store it in `print`.
    let print = || println!("{}", x);

    apply(print);
}
