// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch06-enums-and-pattern-matching/listing-06-06/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    let config_max = Some(3u8);
    match config_max {
        Some(max) => println!("The maximum is configured to be {max}"),
        _ => (),
    }
    // ANCHOR_END: here
}
