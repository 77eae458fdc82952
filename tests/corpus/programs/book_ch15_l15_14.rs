// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch15-smart-pointers/listing-15-14/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
struct CustomSmartPointer {
    data: String,
}

impl Drop for CustomSmartPointer {
    fn drop(&mut self) {
        println!("Dropping CustomSmartPointer with data `{}`!", self.data);
    }
}

fn main() {
    let c = CustomSmartPointer {
        data: String::from("my stuff"),
    };
    let d = CustomSmartPointer {
        data: String::from("other stuff"),
    };
    println!("CustomSmartPointers created");
}
