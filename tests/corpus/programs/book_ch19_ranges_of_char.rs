// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch19-patterns-and-matching/no-listing-04-ranges-of-char/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    let x = 'c';

    match x {
        'a'..='j' => println!("early ASCII letter"),
        'k'..='z' => println!("late ASCII letter"),
        _ => println!("something else"),
    }
    // ANCHOR_END: here
}
