// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch04-understanding-ownership/no-listing-01-can-mutate-string/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    let mut s = String::from("hello");

    s.push_str(", world!"); // push_str() appends a literal to a String

    println!("{s}"); // this will print `hello, world!`
    // ANCHOR_END: here
}
