// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch20-advanced-features/listing-20-24/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
use std::fmt;

struct Wrapper(Vec<String>);

impl fmt::Display for Wrapper {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "[{}]", self.0.join(", "))
    }
}

fn main() {
    let w = Wrapper(vec![String::from("hello"), String::from("world")]);
    println!("w = {w}");
}
