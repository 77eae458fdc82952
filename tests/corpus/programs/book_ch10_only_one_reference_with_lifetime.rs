// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch10-generic-types-traits-and-lifetimes/no-listing-08-only-one-reference-with-lifetime/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let string1 = String::from("abcd");
    let string2 = "efghijklmnopqrstuvwxyz";

    let result = longest(string1.as_str(), string2);
    println!("The longest string is {result}");
}

// ANCHOR: here
fn longest<'a>(x: &'a str, y: &str) -> &'a str {
    x
}
// ANCHOR_END: here
