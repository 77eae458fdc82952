// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch04-understanding-ownership/no-listing-13-reference-scope-ends/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    let mut s = String::from("hello");

    let r1 = &s; // no problem
    let r2 = &s; // no problem
    println!("{r1} and {r2}");
    // Variables r1 and r2 will not be used after this point.

    let r3 = &mut s; // no problem
    println!("{r3}");
    // ANCHOR_END: here
}
