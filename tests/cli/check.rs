//! Integration tests for `kamplan check`.

#[allow(unused_imports)]
use crate::util::*;
