// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch19-patterns-and-matching/listing-19-19/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    let numbers = (2, 4, 8, 16, 32);

    match numbers {
        (first, _, third, _, fifth) => {
            println!("Some numbers: {first}, {third}, {fifth}");
        }
    }
    // ANCHOR_END: here
}
