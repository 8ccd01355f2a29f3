//! The downloads of an analysis (built by the worker, saved by the page).

use crate::ui::protocol::Download;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DownloadsProps {
    pub on_download: Callback<Download>,
    /// What the last download saved.
    pub saved: Option<AttrValue>,
}

#[function_component(Downloads)]
pub fn downloads(p: &DownloadsProps) -> Html {
    let button = |what: Download| {
        let on_download = p.on_download.clone();
        let onclick = Callback::from(move |_: MouseEvent| on_download.emit(what));
        html! { <button type="button" class="ghost dl" data-testid={format!("download-{}", what.id())} {onclick}>{ what.label() }</button> }
    };
    html! {
        <section class="panel downloads" aria-labelledby="dl-title">
            <h2 id="dl-title">{ "Downloads" }</h2>
            <div class="dl-row">{ for Download::ALL.into_iter().map(button) }</div>
            <p class="hint">{ "Spreadsheet-safe: cells that could run as formulas are neutralised." }</p>
            if let Some(n) = &p.saved { <p role="status">{ n }</p> }
        </section>
    }
}
