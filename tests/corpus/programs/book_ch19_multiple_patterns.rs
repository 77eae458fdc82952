// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch19-patterns-and-matching/no-listing-02-multiple-patterns/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    let x = 1;

    match x {
        1 | 2 => println!("one or two"),
        3 => println!("three"),
        _ => println!("anything"),
    }
    // ANCHOR_END: here
}
