// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch10-generic-types-traits-and-lifetimes/listing-10-01/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
// ANCHOR: here
fn main() {
    let number_list = vec![34, 50, 25, 100, 65];

    let mut largest = &number_list[0];

    for number in &number_list {
        if number > largest {
            largest = number;
        }
    }

    println!("The largest number is {largest}");
    // ANCHOR_END: here
    assert_eq!(*largest, 100);
    // ANCHOR: here
}
// ANCHOR_END: here
