// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch20-advanced-features/listing-20-28/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn add_one(x: i32) -> i32 {
    x + 1
}

fn do_twice(f: fn(i32) -> i32, arg: i32) -> i32 {
    f(arg) + f(arg)
}

fn main() {
    let answer = do_twice(add_one, 5);

    println!("The answer is: {answer}");
}
