// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch04-understanding-ownership/no-listing-07-reference/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
// ANCHOR: all
fn main() {
    // ANCHOR: here
    let s1 = String::from("hello");

    let len = calculate_length(&s1);
    // ANCHOR_END: here

    println!("The length of '{s1}' is {len}.");
}

fn calculate_length(s: &String) -> usize {
    s.len()
}
// ANCHOR_END: all
