//! The colour theme the user chose (System, Light, Dark), kept in the settings store under
//! [`THEME_KEY`] and applied as `data-theme` on `<html>`, which `static/app.css` reads. System
//! leaves the attribute off, so the browser's `prefers-color-scheme` decides.

use serde::{Deserialize, Serialize};

/// The settings-store key of the theme.
pub const THEME_KEY: &str = "theme";

/// A colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Theme {
    /// Follows the system's light or dark setting.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// Every theme, in the order the header's picker shows them.
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The name shown to the user and used as the attribute value.
    pub fn name(self) -> &'static str {
        match self {
            Theme::System => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }

    /// The theme named `name` (as [`Theme::name`] writes it).
    pub fn parse(name: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Sets (or, for System, removes) `data-theme` on `<html>`.
    pub fn apply(self) {
        let Some(root) = gloo::utils::document().document_element() else {
            return;
        };
        let _ = match self {
            Theme::System => root.remove_attribute("data-theme"),
            Theme::Light => root.set_attribute("data-theme", "light"),
            Theme::Dark => root.set_attribute("data-theme", "dark"),
        };
    }
}
