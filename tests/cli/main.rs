//! Integration tests: the real `kamplan` binary on workbooks the tests write, in fresh temp folders.

mod util;

mod carry;
mod carry_bad;
mod check;
mod classify;
mod inputs;
mod plans;
mod run;
mod wide;
