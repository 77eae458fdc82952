// Source: Rust by Example, github.com/rust-lang/rust-by-example src/scope/lifetime/trait.md (code block 1) (commit 898f0ac14792); MIT OR Apache-2.0
// A struct with annotation of lifetimes.
#[derive(Debug)]
struct Borrowed<'a> {
    x: &'a i32,
}

// Annotate lifetimes to impl.
impl<'a> Default for Borrowed<'a> {
    fn default() -> Self {
        Self {
            x: &10,
        }
    }
}

fn main() {
    let b: Borrowed = Default::default();
    println!("b is {:?}", b);
}
