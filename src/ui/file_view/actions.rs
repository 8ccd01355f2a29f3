//! The action table: what to do, for how many rows and addresses, and why.

use super::format::int;
use super::state::ReportRef;
use crate::model::{BounceType, Id};
use crate::ui::components::tone;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ActionsProps {
    pub report: ReportRef,
}

#[function_component(ActionTable)]
pub fn action_table(p: &ActionsProps) -> Html {
    html! {
        <section class="panel actions" aria-labelledby="act-title">
            <h2 id="act-title">{ "What to do" }</h2>
            <div class="table-wrap">
                <table class="action-table" data-testid="action-table">
                    <thead><tr><th scope="col">{ "Action" }</th><th scope="col" class="num">{ "Rows" }</th><th scope="col" class="num">{ "Addresses" }</th><th scope="col">{ "Why" }</th><th scope="col">{ "Addresses (first)" }</th></tr></thead>
                    <tbody>
                        { for p.report.actions.iter().map(|a| {
                            let t = tone(a.action, BounceType::Unknown);
                            html! {
                                <tr data-action={a.action.id()} class={format!("tone-{t}")}>
                                    <th scope="row"><span class="badge">{ &a.label }</span></th>
                                    <td class="num" data-label="Rows">{ int(a.rows as f64) }</td>
                                    <td class="num" data-label="Addresses">{ int(a.addresses as f64) }</td>
                                    <td class="why" data-label="Why">{ &a.why }</td>
                                    <td class="addr-list" data-label="First addresses">{ a.sample_addresses.iter().take(5).cloned().collect::<Vec<_>>().join(", ") }{ if a.addresses > 5 { " …" } else { "" } }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
