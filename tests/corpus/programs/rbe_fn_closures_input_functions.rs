// Source: Rust by Example, github.com/rust-lang/rust-by-example src/fn/closures/input_functions.md (code block 1) (commit 898f0ac14792); MIT OR Apache-2.0
// Define a function which takes a generic `F` argument
// bounded by `Fn`, and calls it
fn call_me<F: Fn()>(f: F) {
    f();
}

// Define a wrapper function satisfying the `Fn` bound
fn function() {
    println!("I'm a function!");
}

fn main() {
    // Define a closure satisfying the `Fn` bound
    let closure = || println!("I'm a closure!");

    call_me(closure);
    call_me(function);
}
