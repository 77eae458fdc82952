// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch16-fearless-concurrency/listing-16-08/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
use std::sync::mpsc;
use std::thread;

fn main() {
    let (tx, rx) = mpsc::channel();

    thread::spawn(move || {
        let val = String::from("hi");
        tx.send(val).unwrap();
    });

    let received = rx.recv().unwrap();
    println!("Got: {received}");
}
