// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch16-fearless-concurrency/listing-16-12/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
use std::sync::Mutex;

fn main() {
    let m = Mutex::new(5);

    {
        let mut num = m.lock().unwrap();
        *num = 6;
    }

    println!("m = {m:?}");
}
