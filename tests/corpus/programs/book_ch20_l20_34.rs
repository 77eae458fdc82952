// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch20-advanced-features/listing-20-34/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let handlers = vec![returns_closure(), returns_initialized_closure(123)];
    for handler in handlers {
        let output = handler(5);
        println!("{output}");
    }
}

// ANCHOR: here
fn returns_closure() -> Box<dyn Fn(i32) -> i32> {
    Box::new(|x| x + 1)
}

fn returns_initialized_closure(init: i32) -> Box<dyn Fn(i32) -> i32> {
    Box::new(move |x| x + init)
}
// ANCHOR_END: here
