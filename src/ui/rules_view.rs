//! The Rules page (`#/rules`): the user's own rules, to edit, delete, export as a rules file
//! (the format of the built-in knowledge) and import from one. And [`RulesCtx`], the rules in
//! force as the app's context: the views read it, the rule form and this page change it.

use super::client::{self, Shared};
use super::protocol::{Request, Response, RulesOp, RulesOutcome};
use super::rule_form::{Draft, RuleForm};
use super::user_rules::{describe, UserRule};
use crate::model::Id;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The rules in force, and how to change them.
#[derive(Clone, PartialEq)]
pub struct RulesCtx {
    pub rules: Rc<Vec<UserRule>>,
    /// Goes up each time the rules in force change (the views analyse again).
    pub version: u32,
    /// Why the stored rules could not be read or installed, if so.
    pub problem: Option<String>,
    /// Installs a new list of rules and keeps it; the answer says how many are in force, or
    /// why the list was refused (the rules in force stay as they were).
    pub save: Callback<(Vec<UserRule>, Callback<Result<usize, String>>)>,
}

/// Asks the worker to install `rules`; `done` gets the count or the reason.
pub fn install(shared: &Shared, rules: Vec<UserRule>, done: Callback<Result<usize, String>>) {
    shared.ask(
        Request::Rules { ticket: client::ticket(), op: RulesOp::Install(rules) },
        Callback::from(move |r: Response| match r {
            Response::Rules { outcome: RulesOutcome::Installed(n), .. } => done.emit(Ok(n)),
            Response::Error { message, .. } => done.emit(Err(message)),
            _ => {}
        }),
    );
}

#[function_component(RulesView)]
pub fn rules_view() -> Html {
    let ctx = use_context::<RulesCtx>().expect("the Rules page is inside the app");
    let shared = use_context::<Shared>().expect("the Rules page is inside the app");
    let editing = use_state(|| None::<String>);
    let status = use_state(|| None::<Result<String, String>>);

    let delete = |id: String| {
        let ctx = ctx.clone();
        let status = status.clone();
        Callback::from(move |_: MouseEvent| {
            let rules: Vec<UserRule> = ctx.rules.iter().filter(|r| r.id != id).cloned().collect();
            let status = status.clone();
            ctx.save.emit((rules, Callback::from(move |r: Result<usize, String>| status.set(Some(r.map(|_| "Rule deleted.".to_string()))))));
        })
    };
    let export = {
        let shared = shared.clone();
        let ctx = ctx.clone();
        let status = status.clone();
        Callback::from(move |_: MouseEvent| {
            let status = status.clone();
            shared.ask(
                Request::Rules { ticket: client::ticket(), op: RulesOp::Export((*ctx.rules).clone()) },
                Callback::from(move |r: Response| match r {
                    Response::Rules { outcome: RulesOutcome::Exported(text), .. } => {
                        let parts = js_sys::Array::of1(&text.into());
                        let opts = web_sys::BlobPropertyBag::new();
                        opts.set_type("application/toml");
                        if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) {
                            client::save(&blob, "bouncelens-rules.toml");
                            status.set(Some(Ok("Saved bouncelens-rules.toml.".into())));
                        }
                    }
                    Response::Error { message, .. } => status.set(Some(Err(message))),
                    _ => {}
                }),
            );
        })
    };
    let reader = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let import = {
        let shared = shared.clone();
        let ctx = ctx.clone();
        let status = status.clone();
        let reader = reader.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|l| l.get(0)) else { return };
            input.set_value("");
            let name = file.name();
            let shared = shared.clone();
            let ctx = ctx.clone();
            let status = status.clone();
            let task = gloo::file::callbacks::read_as_text(&gloo::file::File::from(file), move |text| {
                let text = match text {
                    Ok(t) => t,
                    Err(e) => return status.set(Some(Err(format!("{name} could not be read: {e}")))),
                };
                let status = status.clone();
                let ctx = ctx.clone();
                shared.ask(
                    Request::Rules { ticket: client::ticket(), op: RulesOp::Import { name: name.clone(), text } },
                    Callback::from(move |r: Response| match r {
                        Response::Rules { outcome: RulesOutcome::Imported(new), .. } => {
                            // The file's rules replace yours of the same id; the others stay.
                            let count = new.len();
                            let mut rules: Vec<UserRule> = ctx.rules.iter().filter(|r| !new.iter().any(|n| n.id == r.id)).cloned().collect();
                            rules.extend(new);
                            let status = status.clone();
                            ctx.save.emit((rules, Callback::from(move |r: Result<usize, String>| status.set(Some(r.map(|_| format!("Imported {count} rules.")))))));
                        }
                        Response::Error { message, .. } => status.set(Some(Err(message))),
                        _ => {}
                    }),
                );
            });
            *reader.borrow_mut() = Some(task);
        })
    };

    let rules = &*ctx.rules;
    html! {
        <section class="view rules" aria-labelledby="rules-title" data-testid="rules-page">
            <h1 id="rules-title">{ "Your own rules" }</h1>
            <p class="lede">{ "Where bouncelens reads a reply wrongly for you, a rule of your own decides instead: it is tried before the built-in rules, on this computer only. Make one from any verdict with \u{201c}This verdict is wrong\u{201d}." }</p>
            if let Some(p) = &ctx.problem {
                <p class="notices error" role="alert" data-testid="rules-problem">{ p }</p>
            }
            <div class="panel rules-tools">
                <button type="button" class="ghost" data-testid="rules-export" onclick={export} disabled={rules.is_empty()}>{ "Export as a rules file (TOML)" }</button>
                <label class="ghost open-eml">{ "Import a rules file…" }<input type="file" accept=".toml,text/plain,application/toml" data-testid="rules-import" onchange={import} /></label>
                <span class="hint">{ "The format of bouncelens' own knowledge files: one [[rule]] each." }</span>
            </div>
            {
                match &*status {
                    Some(Ok(m)) => html! { <p class="saved" role="status" data-testid="rules-status">{ m }</p> },
                    Some(Err(m)) => html! { <p class="notices error" role="alert" data-testid="rules-error">{ m }</p> },
                    None => html! {},
                }
            }
            if rules.is_empty() {
                <p class="hint" data-testid="rules-empty">{ "You have no rules of your own yet." }</p>
            }
            <ol class="rules-list" data-testid="rules-list">
                { for rules.iter().map(|r| {
                    let t = super::components::tone(r.action_or_default(), crate::model::BounceType::Unknown);
                    let on_edit = { let editing = editing.clone(); let id = r.id.clone(); Callback::from(move |_: MouseEvent| editing.set(Some(id.clone()))) };
                    let on_close = { let editing = editing.clone(); Callback::from(move |_| editing.set(None)) };
                    html! {
                        <li class={classes!("rule-item", "card", format!("tone-{t}"))} data-testid="rule-item" data-rule={r.id.clone()} data-category={r.category.id()}>
                            if editing.as_deref() == Some(r.id.as_str()) {
                                <RuleForm draft={Draft::edit(r)} {on_close} />
                            } else {
                                <div class="card-head">
                                    <span class="badge">{ r.category.label() }</span>
                                    <h3>{ &r.title }</h3>
                                </div>
                                <p class="rule-match"><code>{ describe(r) }</code></p>
                                <p class="why">{ &r.explanation }</p>
                                <div class="rf-actions">
                                    <button type="button" class="ghost" data-testid="rule-edit" onclick={on_edit}>{ "Edit" }</button>
                                    <button type="button" class="ghost danger" data-testid="rule-delete" onclick={delete(r.id.clone())}>{ "Delete" }</button>
                                </div>
                            }
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}
