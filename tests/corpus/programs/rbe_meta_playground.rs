// Source: Rust by Example, github.com/rust-lang/rust-by-example src/meta/playground.md (code block 1) (commit 898f0ac14792); MIT OR Apache-2.0
fn main() {
    println!("Hello World!");
}
