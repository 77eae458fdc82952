// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch19-patterns-and-matching/listing-19-24/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let numbers = (2, 4, 8, 16, 32);

    match numbers {
        (first, .., last) => {
            println!("Some numbers: {first}, {last}");
        }
    }
}
