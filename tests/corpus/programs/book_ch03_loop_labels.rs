// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch03-common-programming-concepts/no-listing-32-5-loop-labels/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
fn main() {
    let mut count = 0;
    'counting_up: loop {
        println!("count = {count}");
        let mut remaining = 10;

        loop {
            println!("remaining = {remaining}");
            if remaining == 9 {
                break;
            }
            if count == 2 {
                break 'counting_up;
            }
            remaining -= 1;
        }

        count += 1;
    }
    println!("End count = {count}");
}
