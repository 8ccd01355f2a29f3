//! The downloads of an analysis (built by the worker, saved by the page): the lists, the
//! suppression file in a platform's import format (the export's own platform first), and the
//! report to share as one HTML page, without addresses unless the box is ticked.

use crate::ui::protocol::{Download, Export, PlatformChoice};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DownloadsProps {
    pub on_download: Callback<Download>,
    pub on_export: Callback<Export>,
    /// The platforms with a known import format (empty until the worker said).
    #[prop_or_default]
    pub platforms: Vec<PlatformChoice>,
    /// The platform the export came from.
    #[prop_or_default]
    pub detected: Option<AttrValue>,
    /// What the last download saved.
    pub saved: Option<AttrValue>,
}

/// When the report was made, for its subtitle ("2026-05-01 10:00 UTC").
pub fn now_text() -> String {
    let iso = String::from(js_sys::Date::new_0().to_iso_string());
    format!("{} {} UTC", iso.get(..10).unwrap_or(""), iso.get(11..16).unwrap_or(""))
}

#[function_component(Downloads)]
pub fn downloads(p: &DownloadsProps) -> Html {
    let chosen = use_state(|| None::<String>);
    let addresses = use_state(|| false);
    let button = |what: Download| {
        let on_download = p.on_download.clone();
        let onclick = Callback::from(move |_: MouseEvent| on_download.emit(what));
        html! { <button type="button" class="ghost dl" data-testid={format!("download-{}", what.id())} {onclick}>{ what.label() }</button> }
    };
    // The export's own platform, until the user picks another.
    let platform = chosen.as_ref().cloned().or_else(|| p.detected.as_ref().map(|d| d.to_string())).or_else(|| p.platforms.first().map(|x| x.id.clone()));
    let on_platform = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            chosen.set(Some(s.value()));
        })
    };
    let suppression = platform.clone().map(|id| {
        let on_export = p.on_export.clone();
        let name = p.platforms.iter().find(|x| x.id == id).map(|x| x.name.clone()).unwrap_or_else(|| id.clone());
        let testid = format!("download-suppression-{id}");
        let onclick = Callback::from(move |_: MouseEvent| on_export.emit(Export::Suppression { platform: id.clone() }));
        html! { <button type="button" class="ghost dl" data-testid={testid} {onclick}>{ format!("Suppression file for {name}") }</button> }
    });
    let on_addresses = {
        let addresses = addresses.clone();
        Callback::from(move |e: Event| {
            let i: HtmlInputElement = e.target_unchecked_into();
            addresses.set(i.checked());
        })
    };
    let html_report = {
        let on_export = p.on_export.clone();
        let include_addresses = *addresses;
        Callback::from(move |_: MouseEvent| on_export.emit(Export::HtmlReport { include_addresses, generated: now_text() }))
    };
    html! {
        <section class="panel downloads" aria-labelledby="dl-title">
            <h2 id="dl-title">{ "Downloads" }</h2>
            <div class="dl-row">{ for Download::ALL.into_iter().map(button) }</div>
            if !p.platforms.is_empty() {
                <div class="dl-row dl-platform">
                    <label for="dl-platform">{ "Import into:" }</label>
                    <select id="dl-platform" data-testid="suppression-platform" onchange={on_platform}>
                        { for p.platforms.iter().map(|x| html! {
                            <option value={x.id.clone()} selected={platform.as_deref() == Some(x.id.as_str())}>
                                { &x.name }{ if p.detected.as_deref() == Some(x.id.as_str()) { " (this export's platform)" } else { "" } }
                            </option>
                        }) }
                    </select>
                    { for suppression }
                </div>
            }
            <div class="dl-row dl-share">
                <button type="button" class="ghost dl" data-testid="download-html-report" onclick={html_report}>{ "Report to share (HTML)" }</button>
                <label class="inline"><input type="checkbox" data-testid="html-report-addresses" checked={*addresses} onchange={on_addresses} />{ " include addresses" }</label>
            </div>
            <p class="hint">{ "Spreadsheet-safe: cells that could run as formulas are neutralised. The HTML report is one self-contained page (it prints to PDF); without the box ticked it names no address." }</p>
            if let Some(n) = &p.saved { <p role="status" data-testid="download-saved">{ n }</p> }
        </section>
    }
}
