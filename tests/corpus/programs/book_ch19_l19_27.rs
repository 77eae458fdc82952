// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch19-patterns-and-matching/listing-19-27/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let x = Some(5);
    let y = 10;

    match x {
        Some(50) => println!("Got 50"),
        Some(n) if n == y => println!("Matched, n = {n}"),
        _ => println!("Default case, x = {x:?}"),
    }

    println!("at the end: x = {x:?}, y = {y}");
}
