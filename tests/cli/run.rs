//! Integration tests for `kamplan run`.

#[allow(unused_imports)]
use crate::util::*;
