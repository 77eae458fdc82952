// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch13-functional-features/listing-13-04/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let list = vec![1, 2, 3];
    println!("Before defining closure: {list:?}");

    let only_borrows = || println!("From closure: {list:?}");

    println!("Before calling closure: {list:?}");
    only_borrows();
    println!("After calling closure: {list:?}");
}
