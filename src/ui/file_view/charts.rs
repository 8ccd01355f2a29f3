//! Horizontal bar charts of the summary: one row per item, each bar an inline SVG, coloured by
//! what the item means (the same colours as the verdict cards).

use super::format::{int, pct};
use crate::batch::report::Count;
use crate::model::{Action, BounceType, Category, Id};
use crate::ui::components::tone;
use yew::prelude::*;

/// The colour of a bar, from its item's id.
#[derive(Clone, Copy, PartialEq)]
pub enum Palette {
    BounceType,
    Action,
    Category,
    Neutral,
    Fix,
}

impl Palette {
    fn fill(self, id: &str) -> &'static str {
        match self {
            Palette::BounceType => match BounceType::from_id(id) {
                Some(BounceType::Hard) | Some(BounceType::Complaint) => "fill-danger",
                Some(BounceType::Soft) => "fill-warn",
                Some(BounceType::Block) | Some(BounceType::Technical) => "fill-fix",
                Some(BounceType::Delivered) | Some(BounceType::AutoReply) => "fill-ok",
                _ => "fill-neutral",
            },
            Palette::Action => Action::from_id(id).map(action_fill).unwrap_or("fill-neutral"),
            Palette::Category => Category::from_id(id).map(|c| action_fill(c.default_action(c.default_class()))).unwrap_or("fill-neutral"),
            Palette::Neutral => "fill-neutral",
            Palette::Fix => "fill-fix",
        }
    }
}

fn action_fill(a: Action) -> &'static str {
    match tone(a, BounceType::Unknown) {
        "danger" => "fill-danger",
        "warn" => "fill-warn",
        "fix" => "fill-fix",
        "ok" => "fill-ok",
        _ => "fill-neutral",
    }
}

/// A chart of the first `max_items` counts.
pub fn bars(title: &str, items: &[Count], max_items: usize, palette: Palette) -> Html {
    let items: Vec<&Count> = items.iter().take(max_items).collect();
    if items.is_empty() {
        return html! {};
    }
    let max = items.iter().map(|c| c.count).max().unwrap_or(1).max(1) as f64;
    html! {
        <figure class="chart">
            <figcaption>{ title }</figcaption>
            <ul class="bar-list">
                { for items.iter().map(|c| {
                    let w = (c.count as f64 / max * 100.0).max(0.8);
                    html! {
                        <li>
                            <span class="bl-name" title={c.label.clone()}>{ &c.label }</span>
                            <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                <rect x="0" y="0" width={format!("{w:.2}")} height="10" rx="1" class={palette.fill(&c.id)} />
                            </svg>
                            <span class="bl-num">{ format!("{} · {}", int(c.count as f64), pct(c.share)) }</span>
                        </li>
                    }
                }) }
            </ul>
        </figure>
    }
}

/// One bar per row, its length the row's share (of the largest share shown), with the share
/// and the counts behind it: for comparing shares of groups of different sizes.
pub struct ShareRow {
    pub label: String,
    /// A second line under the label (a date).
    pub note: Option<String>,
    pub share: f64,
    pub count: u64,
    pub of: u64,
    /// What the count counts ("rows", "bounces", "sent").
    pub unit: &'static str,
}

pub fn share_bars(title: &str, rows: &[ShareRow], fill: &'static str) -> Html {
    if rows.is_empty() {
        return html! {};
    }
    let max = rows.iter().map(|r| r.share).fold(0.0, f64::max).max(1e-9);
    html! {
        <figure class="chart share-chart">
            <figcaption>{ title }</figcaption>
            <ul class="bar-list">
                { for rows.iter().map(|r| {
                    let w = (r.share / max * 100.0).max(0.8);
                    html! {
                        <li>
                            <span class="bl-name" title={r.label.clone()}>{ &r.label }{ for r.note.as_ref().filter(|n| **n != r.label).map(|n| html! { <small class="bl-note">{ n }</small> }) }</span>
                            <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                <rect x="0" y="0" width={format!("{w:.2}")} height="10" rx="1" class={fill} />
                            </svg>
                            <span class="bl-num">{ format!("{} · {} of {} {}", pct(r.share), int(r.count as f64), int(r.of as f64), r.unit) }</span>
                        </li>
                    }
                }) }
            </ul>
        </figure>
    }
}

impl Palette {
    /// The fill class of an item of this palette (for [`share_bars`]).
    pub fn fill_of(self, id: &str) -> &'static str {
        self.fill(id)
    }
}
