//! Integration tests for `kamplan classify`.

#[allow(unused_imports)]
use crate::util::*;
