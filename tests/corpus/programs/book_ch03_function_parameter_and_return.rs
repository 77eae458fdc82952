// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch03-common-programming-concepts/no-listing-22-function-parameter-and-return/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let x = plus_one(5);

    println!("The value of x is: {x}");
}

fn plus_one(x: i32) -> i32 {
    x + 1
}
