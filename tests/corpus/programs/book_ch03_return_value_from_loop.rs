// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch03-common-programming-concepts/no-listing-33-return-value-from-loop/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let mut counter = 0;

    let result = loop {
        counter += 1;

        if counter == 10 {
            break counter * 2;
        }
    };

    println!("The result is {result}");
}
