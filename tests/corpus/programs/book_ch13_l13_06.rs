// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch13-functional-features/listing-13-06/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
use std::thread;

fn main() {
    let list = vec![1, 2, 3];
    println!("Before defining closure: {list:?}");

    thread::spawn(move || println!("From thread: {list:?}"))
        .join()
        .unwrap();
}
