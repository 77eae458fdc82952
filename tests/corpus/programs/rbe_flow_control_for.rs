// Source: Rust by Example, github.com/rust-lang/rust-by-example src/flow_control/for.md (code block 1) (commit 898f0ac14792); MIT OR Apache-2.0
fn main() {
    // `n` will take the values: 1, 2, ..., 100 in each iteration
    for n in 1..101 {
        if n % 15 == 0 {
            println!("fizzbuzz");
        } else if n % 3 == 0 {
            println!("fizz");
        } else if n % 5 == 0 {
            println!("buzz");
        } else {
            println!("{}", n);
        }
    }
}
