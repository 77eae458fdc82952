// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch19-patterns-and-matching/no-listing-01-literals/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    let x = 1;

    match x {
        1 => println!("one"),
        2 => println!("two"),
        3 => println!("three"),
        _ => println!("anything"),
    }
    // ANCHOR_END: here
}
