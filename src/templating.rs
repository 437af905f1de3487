//! Templating: tera 2 with kamplan's filters, embedded default templates and the user's overrides.
//!
//! STUB on main until the plan branch lands.

use std::path::Path;

use crate::lang::Lang;
use crate::plan::{KamPlan, Summary};

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

pub struct Templates;

impl Templates {
    pub fn load(override_dir: Option<&Path>, lang: &Lang) -> Result<(Templates, Vec<String>), TemplateError> {
        let _ = (override_dir, lang);
        todo!()
    }
    pub fn render_plan(&self, p: &KamPlan) -> Result<String, TemplateError> {
        let _ = p;
        todo!()
    }
    pub fn render_summary(&self, s: &Summary) -> Result<String, TemplateError> {
        let _ = s;
        todo!()
    }
}

pub fn embedded() -> &'static [(&'static str, &'static str)] {
    &[]
}
