// Source: Rust by Example, github.com/rust-lang/rust-by-example src/flow_control/loop.md (code block 1) (commit 898f0ac14792); MIT OR Apache-2.0
fn main() {
    let mut count = 0u32;

    println!("Let's count until infinity!");

    // Infinite loop
    loop {
        count += 1;

        if count == 3 {
            println!("three");

            // Skip the rest of this iteration
            continue;
        }

        println!("{}", count);

        if count == 5 {
            println!("OK, that's enough");

            // Exit this loop
            break;
        }
    }
}
