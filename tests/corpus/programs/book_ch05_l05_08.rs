// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch05-using-structs-to-structure-related-data/listing-05-08/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
// ANCHOR: all
fn main() {
    let width1 = 30;
    let height1 = 50;

    println!(
        "The area of the rectangle is {} square pixels.",
        area(width1, height1)
    );
}

// ANCHOR: here
fn area(width: u32, height: u32) -> u32 {
    // ANCHOR_END: here
    width * height
}
// ANCHOR_END: all
