// Source: Rust by Example, github.com/rust-lang/rust-by-example src/macros.md (code block 1) (commit 898f0ac14792); MIT OR Apache-2.0
// This is a simple macro named `say_hello`.
macro_rules! say_hello {
    // `()` indicates that the macro takes no argument.
    () => {
        // The macro will expand into the contents of this block.
        println!("Hello!")
    };
}

fn main() {
    // This call will expand into `println!("Hello!")`
    say_hello!()
}
