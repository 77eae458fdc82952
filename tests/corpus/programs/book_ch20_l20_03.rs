// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch20-advanced-features/listing-20-03/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    let mut num = 5;

    let r1 = &raw const num;
    let r2 = &raw mut num;

    unsafe {
        println!("r1 is: {}", *r1);
        println!("r2 is: {}", *r2);
    }
    // ANCHOR_END: here
}
