//! The alerts: patterns that only show across many rows (list decay, throttling at one
//! provider, blocklisting...), each with what to do and a few rows as evidence.

use super::state::ReportRef;
use crate::batch::alerts::Alert;
use crate::model::Id;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AlertsProps {
    pub report: ReportRef,
    /// The patterns across this export and the kept ones.
    #[prop_or_default]
    pub across: Rc<Vec<Alert>>,
}

fn alert(a: &Alert, across: bool) -> Html {
    html! {
        <article class={classes!("alert", format!("sev-{}", a.severity), across.then_some("across"))} data-alert={a.id.clone()} data-across={across.then_some("true")}>
            <h3><span class="sev">{ a.severity.id() }</span>if across { <span class="tag">{ "across exports" }</span> }{ &a.title }</h3>
            <p>{ &a.detail }</p>
            <p><strong>{ "What to do: " }</strong>{ &a.what_to_do }</p>
            if !a.evidence.is_empty() {
                <details>
                    <summary>{ format!("Evidence ({} shown)", a.evidence.len()) }</summary>
                    <ul class="evidence">{ for a.evidence.iter().map(|e| html! { <li><code>{ e }</code></li> }) }</ul>
                </details>
            }
        </article>
    }
}

#[function_component(Alerts)]
pub fn alerts(p: &AlertsProps) -> Html {
    let alerts = &p.report.alerts;
    let none = alerts.is_empty() && p.across.is_empty();
    html! {
        <section class="panel alerts" aria-labelledby="alerts-title" data-testid="alerts">
            <h2 id="alerts-title">{ if p.across.is_empty() { "Alerts: patterns across the file" } else { "Alerts: patterns across the file and the kept exports" } }</h2>
            if none {
                <p class="hint">{ "No pattern across the file needs attention." }</p>
            }
            { for p.across.iter().map(|a| alert(a, true)) }
            { for alerts.iter().map(|a| alert(a, false)) }
            if !none {
                <p class="hint"><a href={crate::ui::reference_href(crate::ui::THRESHOLDS)}>{ "The thresholds behind these alerts, and their sources" }</a></p>
            }
        </section>
    }
}
