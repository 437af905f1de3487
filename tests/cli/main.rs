//! Integration tests: the real `kamplan` binary on workbooks the tests write, in fresh temp folders.

mod forge;
mod smtp;
mod util;

mod carry;
mod carry_bad;
mod carry_cycle;
mod check;
mod classify;
mod fuzz;
mod inputs;
mod method;
mod plans;
mod print;
mod robust;
mod run;
mod safety;
mod send;
mod send_sendmail;
mod send_tls;
mod wide;
