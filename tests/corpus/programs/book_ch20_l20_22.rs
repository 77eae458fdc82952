// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch20-advanced-features/listing-20-22/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
trait Animal {
    fn baby_name() -> String;
}

struct Dog;

impl Dog {
    fn baby_name() -> String {
        String::from("Spot")
    }
}

impl Animal for Dog {
    fn baby_name() -> String {
        String::from("puppy")
    }
}

// ANCHOR: here
fn main() {
    println!("A baby dog is called a {}", <Dog as Animal>::baby_name());
}
// ANCHOR_END: here
