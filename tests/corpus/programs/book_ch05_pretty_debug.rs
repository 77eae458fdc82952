// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch05-using-structs-to-structure-related-data/output-only-02-pretty-debug/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
#[derive(Debug)]
struct Rectangle {
    width: u32,
    height: u32,
}

fn main() {
    let rect1 = Rectangle {
        width: 30,
        height: 50,
    };

    println!("rect1 is {rect1:#?}");
}
