// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch10-generic-types-traits-and-lifetimes/listing-10-21/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let string1 = String::from("abcd");
    let string2 = "xyz";

    let result = longest(string1.as_str(), string2);
    println!("The longest string is {result}");
}

// ANCHOR: here
fn longest<'a>(x: &'a str, y: &'a str) -> &'a str {
    if x.len() > y.len() { x } else { y }
}
// ANCHOR_END: here
