// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch20-advanced-features/listing-20-08/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
unsafe extern "C" {
    fn abs(input: i32) -> i32;
}

fn main() {
    unsafe {
        println!("Absolute value of -3 according to C: {}", abs(-3));
    }
}
