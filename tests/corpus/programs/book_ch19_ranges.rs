// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch19-patterns-and-matching/no-listing-03-ranges/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    let x = 5;

    match x {
        1..=5 => println!("one through five"),
        _ => println!("something else"),
    }
    // ANCHOR_END: here
}
