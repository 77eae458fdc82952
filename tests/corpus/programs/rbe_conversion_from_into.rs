// Source: Rust by Example, github.com/rust-lang/rust-by-example src/conversion/from_into.md (code block 2) (commit 898f0ac14792); MIT OR Apache-2.0
use std::convert::From;

#[derive(Debug)]
struct Number {
    value: i32,
}

impl From<i32> for Number {
    fn from(item: i32) -> Self {
        Number { value: item }
    }
}

fn main() {
    let num = Number::from(30);
    println!("My number is {:?}", num);
}
