//! The rows table: sortable, filterable, searchable; only the rows on screen are rendered, so
//! it stays smooth with a million rows (pages come from the worker, asked for as the table
//! scrolls).

use super::format::int;
use crate::batch::report::{RowQuery, RowView, RowsPage};
use crate::ui::rule_form::{Draft, RuleForm};
use crate::model::{Action, Category, Id};
use crate::ui::components::tone;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

const ROW_H: f64 = 38.0;
const TABLE_H: f64 = 520.0;
/// Rows asked for at a time, and how many above the first visible one.
const PAGE: usize = 80;
const ABOVE: usize = 20;

/// A filter of the table, on one verdict field.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Category,
    Action,
}

impl Field {
    /// The field's name in a [`RowQuery`] filter.
    fn key(self) -> &'static str {
        match self {
            Field::Category => "category",
            Field::Action => "action",
        }
    }
}

/// What the user set: the table's query (sent to the worker as it changes).
#[derive(Clone, Default)]
struct Table {
    query: RowQuery,
}

enum Msg {
    Scrolled(f64),
    Search(String),
    Filter(Field, String),
    Sort(&'static str),
}

impl Table {
    fn filter(&self, f: Field) -> &str {
        self.query.filters.iter().find(|(k, _)| k == f.key()).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// The table after a message, and whether its query must be sent again.
    fn update(&self, msg: Msg) -> (Table, bool) {
        let mut t = self.clone();
        let q = &mut t.query;
        let send = match msg {
            Msg::Scrolled(top) => {
                let first = (top / ROW_H) as usize;
                let visible = (TABLE_H / ROW_H) as usize + 2;
                let outside = first < q.offset || first + visible > q.offset + q.limit;
                if outside {
                    q.offset = first.saturating_sub(ABOVE);
                    q.limit = PAGE;
                }
                outside
            }
            Msg::Search(s) => {
                q.search = s;
                q.offset = 0;
                true
            }
            Msg::Filter(f, v) => {
                q.filters.retain(|(k, _)| k != f.key());
                if !v.is_empty() {
                    q.filters.push((f.key().to_string(), v));
                }
                q.offset = 0;
                true
            }
            Msg::Sort(key) => {
                q.descending = q.sort.as_deref() == Some(key) && !q.descending;
                q.sort = Some(key.to_string());
                q.offset = 0;
                true
            }
        };
        (t, send)
    }
}

#[derive(Properties, PartialEq)]
pub struct RowsProps {
    pub page: Option<Rc<RowsPage>>,
    pub on_query: Callback<RowQuery>,
}

/// The form for a rule made from a row ("this verdict is wrong"), shown above the table.
fn draft_of(r: &RowView) -> Draft {
    let codes = r.reply_code.map(|c| c.to_string()).into_iter().chain(r.enhanced_code.map(|c| c.to_string())).collect();
    let provider = r.provider.clone().map(|p| (p.clone(), p.0));
    Draft::from_verdict(if r.diagnostic.is_empty() { &r.summary } else { &r.diagnostic }, provider, codes, r.category)
}

/// The first page the view asks for when a report arrives.
pub fn first_page() -> RowQuery {
    RowQuery { offset: 0, limit: 60, ..Default::default() }
}

#[function_component(RowsTable)]
pub fn rows_table(p: &RowsProps) -> Html {
    let table = use_mut_ref(|| Table { query: first_page() });
    // The table's query lives outside the render state (scrolling sends many messages); this
    // counter re-renders the controls when it changes.
    let version = use_state(|| 0u32);
    let apply = {
        let table = table.clone();
        let on_query = p.on_query.clone();
        let version = version.clone();
        Callback::from(move |msg: Msg| {
            let (next, send) = table.borrow().update(msg);
            *table.borrow_mut() = next;
            if send {
                on_query.emit(table.borrow().query.clone());
                version.set(*version + 1);
            }
        })
    };
    let onscroll = {
        let apply = apply.clone();
        Callback::from(move |e: Event| {
            let el: web_sys::Element = e.target_unchecked_into();
            apply.emit(Msg::Scrolled(el.scroll_top() as f64));
        })
    };
    let on_search = {
        let apply = apply.clone();
        Callback::from(move |e: InputEvent| {
            let i: HtmlInputElement = e.target_unchecked_into();
            apply.emit(Msg::Search(i.value()));
        })
    };
    let on_filter = |f: Field| {
        let apply = apply.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            apply.emit(Msg::Filter(f, s.value()));
        })
    };
    let wrong = use_state(|| None::<Draft>);
    let close_form = {
        let wrong = wrong.clone();
        Callback::from(move |_: ()| wrong.set(None))
    };
    let t = table.borrow().clone();
    let header = |key: &'static str, label: &'static str| {
        let apply = apply.clone();
        let active = t.query.sort.as_deref() == Some(key);
        let desc = t.query.descending;
        let onclick = Callback::from(move |_: MouseEvent| apply.emit(Msg::Sort(key)));
        let aria = match (active, desc) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        };
        let arrow = match (active, desc) {
            (false, _) => "",
            (true, true) => " ▼",
            (true, false) => " ▲",
        };
        html! { <div role="columnheader" aria-sort={aria} class={classes!("rt-h", format!("c-{key}"))}><button type="button" {onclick}>{ label }{ arrow }</button></div> }
    };
    let total = p.page.as_ref().map(|pg| pg.total).unwrap_or(0);
    let (cat, act) = (t.filter(Field::Category).to_string(), t.filter(Field::Action).to_string());
    html! {
        <section class="panel rows" aria-labelledby="rows-title">
            <h2 id="rows-title">{ "Every row" }</h2>
            <div class="rt-tools">
                <label class="sr-only" for="rows-search">{ "Search rows" }</label>
                <input id="rows-search" type="search" placeholder="Search address, reply, campaign…" oninput={on_search} data-testid="rows-search" />
                <label class="sr-only" for="f-cat">{ "Filter by cause" }</label>
                <select id="f-cat" onchange={on_filter(Field::Category)} data-testid="filter-category">
                    <option value="" selected={cat.is_empty()}>{ "All causes" }</option>
                    { for Category::ALL.iter().map(|c| html! { <option value={c.id()} selected={cat == c.id()}>{ c.label() }</option> }) }
                </select>
                <label class="sr-only" for="f-act">{ "Filter by action" }</label>
                <select id="f-act" onchange={on_filter(Field::Action)} data-testid="filter-action">
                    <option value="" selected={act.is_empty()}>{ "All actions" }</option>
                    { for Action::ALL.iter().map(|a| html! { <option value={a.id()} selected={act == a.id()}>{ a.label() }</option> }) }
                </select>
                <span class="hint" data-testid="rows-count">{ format!("{} rows", int(total as f64)) }</span>
            </div>
            if let Some(d) = &*wrong {
                <div class="row-rule"><RuleForm draft={d.clone()} on_close={close_form} /></div>
            }
            <div class="rt" role="table" aria-label="Analysed rows" aria-rowcount={(total + 1).to_string()} data-testid="rows-table">
                <div class="rt-head" role="row">
                    { header("row", "Row") }
                    { header("address", "Address") }
                    { header("bounce_type", "Type") }
                    { header("category", "Cause") }
                    { header("action", "Action") }
                    { header("code", "Codes") }
                    { header("date", "Date") }
                    <div role="columnheader" class="rt-h c-reply">{ "Reply" }</div>
                    <div role="columnheader" class="rt-h c-wrong"><span class="sr-only">{ "Wrong verdict?" }</span></div>
                </div>
                <div class="rt-body" {onscroll} style={format!("height:{}px", TABLE_H.min(total as f64 * ROW_H + 2.0).max(ROW_H * 2.0))} tabindex="0" aria-label="Rows, scroll to see more">
                    <div class="rt-spacer" style={format!("height:{}px", total as f64 * ROW_H)}>
                        if let Some(pg) = &p.page {
                            { for pg.rows.iter().enumerate().map(|(i, r)| {
                                let idx = pg.offset + i;
                                let t = tone(r.action, r.bounce_type);
                                let on_wrong = { let wrong = wrong.clone(); let d = draft_of(r); Callback::from(move |_: MouseEvent| wrong.set(Some(d.clone()))) };
                                html! {
                                    <div role="row" aria-rowindex={(idx + 2).to_string()} class={classes!("rt-row", format!("tone-{t}"))} style={format!("top:{}px", idx as f64 * ROW_H)} data-category={r.category.id()} data-action={r.action.id()}>
                                        <div role="cell" class="c-row" title={r.source.clone()}>{ r.source.rsplit(", row ").next().unwrap_or("") }</div>
                                        <div role="cell" class="c-address" title={r.address.clone()}>{ &r.address }</div>
                                        <div role="cell" class="c-bounce_type">{ r.bounce_type.label() }</div>
                                        <div role="cell" class="c-category">{ r.category.label() }</div>
                                        <div role="cell" class="c-action"><span class="badge">{ r.action.label() }</span></div>
                                        <div role="cell" class="c-code">{ format!("{} {}", r.reply_code.map(|c| c.to_string()).unwrap_or_default(), r.enhanced_code.map(|c| c.to_string()).unwrap_or_default()) }</div>
                                        <div role="cell" class="c-date" title={r.date.clone()}>{ &r.date }</div>
                                        <div role="cell" class="c-reply" title={r.diagnostic.clone()}>{ if r.diagnostic.is_empty() { r.summary.clone() } else { r.diagnostic.clone() } }{ if !r.label.is_empty() { format!(" [{}]", r.label) } else { String::new() } }</div>
                                        <div role="cell" class="c-wrong"><button type="button" class="link" data-testid="rule-new" title="This verdict is wrong: make your own rule" onclick={on_wrong}>{ "Wrong?" }</button></div>
                                    </div>
                                }
                            }) }
                        }
                    </div>
                </div>
            </div>
            <p class="hint">{ "Addresses and ids inside replies are masked; the same reply is analysed once." }</p>
        </section>
    }
}
