// Source: Rust by Example, github.com/rust-lang/rust-by-example src/conversion/string.md (code block 1) (commit 898f0ac14792); MIT OR Apache-2.0
use std::fmt;

struct Circle {
    radius: i32
}

impl fmt::Display for Circle {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Circle of radius {}", self.radius)
    }
}

fn main() {
    let circle = Circle { radius: 6 };
    println!("{}", circle.to_string());
}
