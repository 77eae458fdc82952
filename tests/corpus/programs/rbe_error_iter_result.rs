// Source: Rust by Example, github.com/rust-lang/rust-by-example src/error/iter_result.md (code block 1) (commit 898f0ac14792); MIT OR Apache-2.0
fn main() {
    let strings = vec!["tofu", "93", "18"];
    let numbers: Vec<_> = strings
        .into_iter()
        .map(|s| s.parse::<i32>())
        .collect();
    println!("Results: {:?}", numbers);
}
