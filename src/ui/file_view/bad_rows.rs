//! The rows that could not be read or analysed, and why.

use super::format::int;
use super::state::ReportRef;
use yew::prelude::*;

/// How many bad rows are listed (the report keeps more).
const LISTED: usize = 200;

#[derive(Properties, PartialEq)]
pub struct BadRowsProps {
    pub report: ReportRef,
}

#[function_component(BadRows)]
pub fn bad_rows(p: &BadRowsProps) -> Html {
    let rep = &p.report;
    if rep.bad_rows == 0 {
        return html! {};
    }
    let listed = rep.listed_bad_rows.len().min(LISTED);
    html! {
        <section class="panel bad" aria-labelledby="bad-title" data-testid="bad-rows">
            <h2 id="bad-title">{ format!("{} rows could not be read or analysed", int(rep.bad_rows as f64)) }</h2>
            <p class="hint">{ "They are left out of the analysis; everything else was analysed." }</p>
            <ul>
                { for rep.listed_bad_rows.iter().take(LISTED).map(|b| html! { <li>{ format!("{}, row {}: {}", b.file, b.row, b.reason) }</li> }) }
            </ul>
            if rep.bad_rows as usize > listed {
                <p class="hint">{ format!("… and {} more.", int((rep.bad_rows as usize - listed) as f64)) }</p>
            }
        </section>
    }
}
