//! Plan: the per-KAM Key Account Plan and the management summary as plain serialisable structs — the templates' context.
//!
//! No I/O, no clock. Built from the classification, the dataset (activity log) and the config.
