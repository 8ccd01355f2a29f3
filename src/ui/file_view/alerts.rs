//! The alerts: patterns that only show across many rows (list decay, throttling at one
//! provider, blocklisting...), each with what to do and a few rows as evidence.

use super::state::ReportRef;
use crate::model::Id;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AlertsProps {
    pub report: ReportRef,
}

#[function_component(Alerts)]
pub fn alerts(p: &AlertsProps) -> Html {
    let alerts = &p.report.alerts;
    html! {
        <section class="panel alerts" aria-labelledby="alerts-title" data-testid="alerts">
            <h2 id="alerts-title">{ "Alerts: patterns across the file" }</h2>
            if alerts.is_empty() {
                <p class="hint">{ "No pattern across the file needs attention." }</p>
            }
            { for alerts.iter().map(|a| html! {
                <article class={classes!("alert", format!("sev-{}", a.severity))} data-alert={a.id.clone()}>
                    <h3><span class="sev">{ a.severity.id() }</span>{ &a.title }</h3>
                    <p>{ &a.detail }</p>
                    <p><strong>{ "What to do: " }</strong>{ &a.what_to_do }</p>
                    if !a.evidence.is_empty() {
                        <details>
                            <summary>{ format!("Evidence ({} rows shown)", a.evidence.len()) }</summary>
                            <ul class="evidence">{ for a.evidence.iter().map(|e| html! { <li><code>{ e }</code></li> }) }</ul>
                        </details>
                    }
                </article>
            }) }
            if !alerts.is_empty() {
                <p class="hint"><a href={crate::ui::reference_href(crate::ui::THRESHOLDS)}>{ "The thresholds behind these alerts, and their sources" }</a></p>
            }
        </section>
    }
}
