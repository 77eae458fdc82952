// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch03-common-programming-concepts/no-listing-27-if-false/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    let number = 7;
    // ANCHOR_END: here

    if number < 5 {
        println!("condition was true");
    } else {
        println!("condition was false");
    }
}
