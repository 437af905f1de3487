//! Integration tests: the real `kamplan` binary on workbooks the tests write, in fresh temp folders.

mod smtp;
mod util;

mod check;
mod classify;
mod inputs;
mod plans;
mod run;
mod send;
mod wide;
