//! Output of `kamplan classify`: terminal table, CSV and the stable JSON.
