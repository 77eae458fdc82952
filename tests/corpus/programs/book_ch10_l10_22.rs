// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch10-generic-types-traits-and-lifetimes/listing-10-22/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
// ANCHOR: here
fn main() {
    let string1 = String::from("long string is long");

    {
        let string2 = String::from("xyz");
        let result = longest(string1.as_str(), string2.as_str());
        println!("The longest string is {result}");
    }
}
// ANCHOR_END: here

fn longest<'a>(x: &'a str, y: &'a str) -> &'a str {
    if x.len() > y.len() { x } else { y }
}
