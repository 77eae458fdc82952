// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch19-patterns-and-matching/listing-19-04/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for val in [1, 2, 3] {
            tx.send(val).unwrap();
        }
    });

    while let Ok(value) = rx.recv() {
        println!("{value}");
    }
    // ANCHOR_END: here
}
