// Source: The Rust Programming Language, github.com/rust-lang/book listings/ch20-advanced-features/listing-20-19/src/main.rs (commit 917544888a55); MIT OR Apache-2.0
trait Pilot {
    fn fly(&self);
}

trait Wizard {
    fn fly(&self);
}

struct Human;

impl Pilot for Human {
    fn fly(&self) {
        println!("This is your captain speaking.");
    }
}

impl Wizard for Human {
    fn fly(&self) {
        println!("Up!");
    }
}

impl Human {
    fn fly(&self) {
        println!("*waving arms furiously*");
    }
}

// ANCHOR: here
fn main() {
    let person = Human;
    Pilot::fly(&person);
    Wizard::fly(&person);
    person.fly();
}
// ANCHOR_END: here
