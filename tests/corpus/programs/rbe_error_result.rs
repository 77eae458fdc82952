// Source: Rust by Example, github.com/rust-lang/rust-by-example src/error/result.md (code block 2) (commit 898f0ac14792); MIT OR Apache-2.0
fn main() {
    println!("Hello World!");
}
