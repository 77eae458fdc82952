// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch13-functional-features/listing-13-07/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
#[derive(Debug)]
struct Rectangle {
    width: u32,
    height: u32,
}

fn main() {
    let mut list = [
        Rectangle { width: 10, height: 1 },
        Rectangle { width: 3, height: 5 },
        Rectangle { width: 7, height: 12 },
    ];

    list.sort_by_key(|r| r.width);
    println!("{list:#?}");
}
