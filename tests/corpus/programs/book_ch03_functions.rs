// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch03-common-programming-concepts/no-listing-16-functions/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    println!("Hello, world!");

    another_function();
}

fn another_function() {
    println!("Another function.");
}
