// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch20-advanced-features/no-listing-04-kilometers-alias/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: there
    // ANCHOR: here
    type Kilometers = i32;
    // ANCHOR_END: here

    let x: i32 = 5;
    let y: Kilometers = 5;

    println!("x + y = {}", x + y);
    // ANCHOR_END: there
}
