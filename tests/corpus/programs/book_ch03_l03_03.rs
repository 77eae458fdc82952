// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch03-common-programming-concepts/listing-03-03/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let mut number = 3;

    while number != 0 {
        println!("{number}!");

        number -= 1;
    }

    println!("LIFTOFF!!!");
}
