// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch03-common-programming-concepts/no-listing-03-shadowing/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let x = 5;

    let x = x + 1;

    {
        let x = x * 2;
        println!("The value of x in the inner scope is: {x}");
    }

    println!("The value of x is: {x}");
}
