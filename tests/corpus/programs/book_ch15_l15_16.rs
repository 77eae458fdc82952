// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch15-smart-pointers/listing-15-16/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
struct CustomSmartPointer {
    data: String,
}

impl Drop for CustomSmartPointer {
    fn drop(&mut self) {
        println!("Dropping CustomSmartPointer with data `{}`!", self.data);
    }
}

// ANCHOR: here
fn main() {
    let c = CustomSmartPointer {
        data: String::from("some data"),
    };
    println!("CustomSmartPointer created");
    drop(c);
    println!("CustomSmartPointer dropped before the end of main");
}
// ANCHOR_END: here
