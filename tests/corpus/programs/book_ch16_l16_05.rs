// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch16-fearless-concurrency/listing-16-05/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
use std::thread;

fn main() {
    let v = vec![1, 2, 3];

    let handle = thread::spawn(move || {
        println!("Here's a vector: {v:?}");
    });

    handle.join().unwrap();
}
