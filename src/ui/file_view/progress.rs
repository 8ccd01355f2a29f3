//! The progress of a running analysis: rows, MB, rows per second, time left, and Cancel.

use super::format::{int, mb};
use crate::ui::protocol::Progress;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    pub progress: Progress,
    pub on_cancel: Callback<MouseEvent>,
}

#[function_component(ProgressBox)]
pub fn progress_box(p: &ProgressProps) -> Html {
    let Progress { bytes, total, rows, bad, elapsed, file } = &p.progress;
    let frac = if *total > 0.0 { (bytes / total).min(1.0) } else { 0.0 };
    let secs = elapsed / 1000.0;
    let rate = if secs > 0.05 { rows / secs } else { 0.0 };
    let left = if frac > 0.02 && secs > 0.2 { secs * (1.0 - frac) / frac } else { f64::NAN };
    html! {
        <div class="progress-box" data-testid="progress" role="status" aria-live="polite">
            <progress max="1" value={frac.to_string()} aria-label="Analysis progress"></progress>
            <p>
                <strong>{ int(*rows) }{ " rows" }</strong>
                { format!(" · {} of {} · {} rows/s", mb(*bytes), mb(*total), int(rate)) }
                { if left.is_finite() { format!(" · about {:.0} s left", left.ceil()) } else { String::new() } }
                { if *bad > 0.0 { format!(" · {} bad rows", int(*bad)) } else { String::new() } }
            </p>
            <p class="hint">{ format!("Reading {file}") }</p>
            <button type="button" class="ghost" onclick={p.on_cancel.clone()}>{ "Cancel" }</button>
        </div>
    }
}
