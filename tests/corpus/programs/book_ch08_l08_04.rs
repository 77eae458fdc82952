// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch08-common-collections/listing-08-04/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    // ANCHOR: here
    let v = vec![1, 2, 3, 4, 5];

    let third: &i32 = &v[2];
    println!("The third element is {third}");

    let third: Option<&i32> = v.get(2);
    match third {
        Some(third) => println!("The third element is {third}"),
        None => println!("There is no third element."),
    }
    // ANCHOR_END: here
}
