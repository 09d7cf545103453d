//! The one renderer for loading / ready / error / empty states of every async view.

use yew::prelude::*;

/// The state of an async view.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    /// Nothing to show yet, with a plain-words hint of what to do.
    Empty(String),
    /// Work under way, with a fraction when known.
    Loading {
        /// 0..=1 when known.
        fraction: Option<f64>,
        /// What is happening, in plain words.
        stage: String,
    },
    /// Ready to show.
    Ready(T),
    /// Failed, with a message for the user.
    Failed(String),
}

impl<T> Load<T> {
    /// The ready value, if any.
    pub fn ready(&self) -> Option<&T> {
        match self {
            Load::Ready(v) => Some(v),
            _ => None,
        }
    }
}

/// Props of [`StatusView`].
#[derive(Properties, PartialEq)]
pub struct StatusProps {
    /// `empty`, `loading` or `error`.
    pub kind: AttrValue,
    /// The message.
    pub message: AttrValue,
    /// Progress fraction for `loading`.
    #[prop_or_default]
    pub fraction: Option<f64>,
    /// A cancel button for `loading` when given.
    #[prop_or_default]
    pub on_cancel: Option<Callback<()>>,
    /// Extra content (for instance a call to action under an empty state).
    #[prop_or_default]
    pub children: Html,
}

/// Renders a non-ready state.
#[component]
pub fn StatusView(p: &StatusProps) -> Html {
    let class = classes!("status", p.kind.to_string());
    let role = if p.kind == "error" { "alert" } else { "status" };
    html! {
        <div class={class} role={role} aria-live="polite" data-testid={format!("status-{}", p.kind)}>
            if p.kind == "loading" {
                <div class="row">
                    <span>{ &p.message }</span>
                    if let Some(f) = p.fraction {
                        <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"
                             aria-label={p.message.clone()} aria-valuenow={format!("{:.0}", f * 100.0)} data-testid="progress">
                            <div style={format!("width:{:.1}%", (f * 100.0).clamp(0.0, 100.0))}></div>
                        </div>
                        <span class="note">{ format!("{:.0}%", f * 100.0) }</span>
                    }
                    if let Some(c) = &p.on_cancel {
                        <button class="secondary" onclick={let c = c.clone(); move |_| c.emit(())} data-testid="cancel">{ "Cancel" }</button>
                    }
                </div>
            } else if p.kind == "error" {
                <strong>{ "Something needs your attention: " }</strong>{ &p.message }
            } else {
                <p>{ &p.message }</p>
            }
            { p.children.clone() }
        </div>
    }
}

/// Renders `load` with `ready` for the ready state and [`StatusView`] for the others.
pub fn view<T>(
    load: &Load<T>,
    on_cancel: Option<Callback<()>>,
    ready: impl FnOnce(&T) -> Html,
) -> Html {
    match load {
        Load::Ready(v) => ready(v),
        Load::Empty(m) => html! { <StatusView kind="empty" message={m.clone()} /> },
        Load::Loading { fraction, stage } => {
            html! { <StatusView kind="loading" message={stage.clone()} fraction={*fraction} {on_cancel} /> }
        }
        Load::Failed(m) => html! { <StatusView kind="error" message={m.clone()} /> },
    }
}

/// Props of [`JobStatus`].
#[derive(Properties, PartialEq)]
pub struct JobStatusProps {
    /// What it says before the worker reports any progress.
    pub start: AttrValue,
    /// A cancel button when given.
    #[prop_or_default]
    pub on_cancel: Option<Callback<()>>,
}

/// The job under way, as a loading status with its progress and stage: the only part of a
/// page drawn again when the progress moves (it reads the
/// [`crate::ui::state::ProgressContext`]; the page around it does not).
#[component]
pub fn JobStatus(p: &JobStatusProps) -> Html {
    let progress = crate::ui::state::use_progress();
    let (fraction, stage) = progress.map_or((None, p.start.clone()), |j| {
        (Some(j.fraction), AttrValue::from(j.stage))
    });
    html! { <StatusView kind="loading" message={stage} {fraction} on_cancel={p.on_cancel.clone()} /> }
}
