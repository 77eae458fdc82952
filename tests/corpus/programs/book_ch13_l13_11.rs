// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch13-functional-features/listing-13-11/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    let v1 = vec![1, 2, 3];

    let v1_iter = v1.iter();

    for val in v1_iter {
        println!("Got: {val}");
    }
    // ANCHOR_END: here
}
