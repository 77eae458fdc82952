// Source: Rust by Example, github.com/rust-lang/rust-by-example src/flow_control/loop/nested.md (code block 1) (commit 898f0ac14792); MIT OR Apache-2.0
#![allow(unreachable_code, unused_labels)]

fn main() {
    'outer: loop {
        println!("Entered the outer loop");

        'inner: loop {
            println!("Entered the inner loop");

            // This would break only the inner loop
            //break;

            // This breaks the outer loop
            break 'outer;
        }

        println!("This point will never be reached");
    }

    println!("Exited the outer loop");
}
