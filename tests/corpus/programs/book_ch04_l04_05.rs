// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch04-understanding-ownership/listing-04-05/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let s1 = String::from("hello");

    let (s2, len) = calculate_length(s1);

    println!("The length of '{s2}' is {len}.");
}

fn calculate_length(s: String) -> (String, usize) {
    let length = s.len(); // len() returns the length of a String

    (s, length)
}
