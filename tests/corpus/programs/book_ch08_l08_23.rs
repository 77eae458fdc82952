// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch08-common-collections/listing-08-23/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    use std::collections::HashMap;

    let mut scores = HashMap::new();

    scores.insert(String::from("Blue"), 10);
    scores.insert(String::from("Blue"), 25);

    println!("{scores:?}");
    // ANCHOR_END: here
}
