// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch13-functional-features/listing-13-05/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let mut list = vec![1, 2, 3];
    println!("Before defining closure: {list:?}");

    let mut borrows_mutably = || list.push(7);

    borrows_mutably();
    println!("After calling closure: {list:?}");
}
