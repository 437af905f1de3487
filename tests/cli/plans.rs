//! Integration tests for `kamplan plans`.

#[allow(unused_imports)]
use crate::util::*;
