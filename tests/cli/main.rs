//! Integration tests: the real `kamplan` binary on workbooks the tests write, in fresh temp folders.

mod util;

mod check;
mod classify;
mod inputs;
mod method;
mod plans;
mod run;
mod wide;
