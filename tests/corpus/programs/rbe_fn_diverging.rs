// Source: Rust by Example, github.com/rust-lang/rust-by-example src/fn/diverging.md (code block 2) (commit 898f0ac14792); MIT OR Apache-2.0
fn some_fn() {
    ()
}

fn main() {
    let _a: () = some_fn();
    println!("This function returns and you can see this line.");
}
