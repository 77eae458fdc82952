// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch19-patterns-and-matching/listing-19-29/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    enum Message {
        Hello { id: i32 },
    }

    let msg = Message::Hello { id: 5 };

    match msg {
        Message::Hello { id: id @ 3..=7 } => {
            println!("Found an id in range: {id}")
        }
        Message::Hello { id: 10..=12 } => {
            println!("Found an id in another range")
        }
        Message::Hello { id } => println!("Found some other id: {id}"),
    }
    // ANCHOR_END: here
}
