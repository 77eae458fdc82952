//! Unit tests of the pure session core.

use super::*;
