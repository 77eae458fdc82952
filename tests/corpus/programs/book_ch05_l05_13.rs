// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch05-using-structs-to-structure-related-data/listing-05-13/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
#[derive(Debug)]
struct Rectangle {
    width: u32,
    height: u32,
}

impl Rectangle {
    fn area(&self) -> u32 {
        self.width * self.height
    }
}

fn main() {
    let rect1 = Rectangle {
        width: 30,
        height: 50,
    };

    println!(
        "The area of the rectangle is {} square pixels.",
        rect1.area()
    );
}
