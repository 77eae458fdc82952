// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch03-common-programming-concepts/listing-03-04/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let a = [10, 20, 30, 40, 50];
    let mut index = 0;

    while index < 5 {
        println!("the value is: {}", a[index]);

        index += 1;
    }
}
