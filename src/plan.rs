//! Plan: the per-KAM Key Account Plan and the management summary as plain serialisable structs — the templates' context.
//!
//! STUB on main until the plan branch lands.

use serde::Serialize;

use crate::classify::Classification;
use crate::config::Config;
use crate::ingest::Dataset;
use crate::lang::Lang;

#[derive(Debug, Clone, Serialize)]
pub struct Plans {
    pub kams: Vec<KamPlan>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct KamPlan {
    pub kam: String,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub handover: Vec<HandoverRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HandoverRow {
    pub kam: String,
    pub email: Option<String>,
    pub key_accounts: u32,
    pub sales: f64,
    pub pdf: String,
    pub xlsx: String,
}

pub fn build(c: &Classification, data: &Dataset, cfg: &Config, lang: &Lang) -> Plans {
    let _ = (c, data, cfg, lang);
    todo!()
}
