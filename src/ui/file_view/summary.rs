//! The summary of an analysis: totals, speed, bounce rates (from the number sent, which the
//! user can give) and the charts.

use super::charts::{bars, Palette};
use super::format::int;
use super::state::ReportRef;
use crate::batch::report::Count;
use crate::model::{Id, Owner};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SummaryProps {
    pub report: ReportRef,
    /// How long the analysis took, in milliseconds (0 if unknown).
    pub elapsed: f64,
    /// The number of messages sent, as the user typed it (`None` to clear it).
    pub on_sent: Callback<Option<u64>>,
}

#[function_component(Summary)]
pub fn summary(p: &SummaryProps) -> Html {
    let rep = &p.report;
    let sent_ref = use_node_ref();
    let on_sent = {
        let sent_ref = sent_ref.clone();
        let cb = p.on_sent.clone();
        Callback::from(move |_: MouseEvent| {
            let v = sent_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            cb.emit(v.trim().replace([',', ' ', '_'], "").parse().ok().filter(|n| *n > 0));
        })
    };
    let elapsed = p.elapsed / 1000.0;
    let owner_items: Vec<Count> = rep.by_owner.iter().map(|c| Count { label: Owner::from_id(&c.id).map(|o| o.label().to_string()).unwrap_or_else(|| c.label.clone()), ..c.clone() }).collect();
    html! {
        <section class="panel summary" aria-labelledby="sum-title" data-testid="summary">
            <h2 id="sum-title">{ "Summary" }</h2>
            <div class="totals">
                <div class="total"><span class="big" data-testid="total-rows">{ int(rep.analysed as f64) }</span><span class="k">{ "bounces analysed" }</span></div>
                <div class="total"><span class="big">{ int(rep.unique_addresses as f64) }</span><span class="k">{ "addresses" }</span></div>
                <div class="total"><span class="big">{ int(rep.distinct_replies as f64) }</span><span class="k">{ "distinct replies" }</span></div>
                <div class="total"><span class={classes!("big", (rep.bad_rows > 0).then_some("warn-text"))} data-testid="bad-count">{ int(rep.bad_rows as f64) }</span><span class="k">{ "rows not readable" }</span></div>
                if elapsed > 0.0 {
                    <div class="total"><span class="big">{ format!("{:.1} s", elapsed) }</span><span class="k">{ format!("{:.1} MB, {} rows/s", rep.bytes as f64 / 1e6, int(rep.rows_read as f64 / elapsed.max(0.001))) }</span></div>
                }
            </div>
            if rep.label_disagreements > 0 {
                <p class="note" data-testid="label-disagreements">{ format!("For {} rows the platform's own label says something else than the replies do (e.g. {}).", int(rep.label_disagreements as f64), rep.label_disagreement_examples.first().cloned().unwrap_or_default()) }</p>
            }
            <div class="sent">
                <label for="sent-input">{ "Messages sent in this send (for bounce rates):" }</label>
                <input id="sent-input" type="text" inputmode="numeric" ref={sent_ref} value={rep.rates.as_ref().map(|r| r.sent.to_string()).unwrap_or_default()} placeholder="e.g. 250000" />
                <button type="button" class="ghost" onclick={on_sent}>{ "Compute rates" }</button>
            </div>
            if let Some(r) = &rep.rates {
                <ul class="rates" data-testid="rates">
                    { for r.verdicts.iter().map(|v| html! { <li>{ v }</li> }) }
                </ul>
                <p class="hint"><a href={crate::ui::reference_href(crate::ui::THRESHOLDS)}>{ "The thresholds these rates are held against, and their sources" }</a></p>
            }
            <div class="charts">
                { bars("By type", &rep.by_bounce_type, 8, Palette::BounceType) }
                { bars("By action", &rep.by_action, 13, Palette::Action) }
                { bars("By cause", &rep.by_category, 12, Palette::Category) }
                { bars("Whose problem", &owner_items, 7, Palette::Neutral) }
                { bars("By provider", &rep.by_provider, 8, Palette::Fix) }
                { bars("Top recipient domains", &rep.by_domain, 10, Palette::Neutral) }
                if !rep.by_campaign.is_empty() {
                    { bars("By campaign", &rep.by_campaign, 10, Palette::Neutral) }
                }
            </div>
        </section>
    }
}
