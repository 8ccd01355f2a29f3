//! "This verdict is wrong": the form that makes one of the user's own rules from a verdict
//! (a card of the Paste view, a row of the File view), or edits one on the Rules page.
//!
//! A rule is the wording of the reply (as written, or a pattern), optionally only from one
//! provider or only with one code, and the cause and action the user picks. Saving sends the
//! new list to the worker, which checks and installs it; the form says what went wrong if it
//! did not take.

use super::rules_view::RulesCtx;
use super::user_rules::{pattern_for, wording_of as pattern_words, UserRule};
use crate::model::{Action, Category, Id, ProviderId};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// What the form starts from.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    /// The rule being edited (its id is kept), or none for a new one.
    pub editing: Option<String>,
    pub wording: String,
    /// The wording is a regular expression (an edited rule's pattern), not words as written.
    pub is_pattern: bool,
    /// The provider the verdict came from, and whether the rule is only for it.
    pub provider: Option<(ProviderId, String)>,
    pub only_provider: bool,
    /// The codes of the verdict, and the one the rule needs (if any).
    pub code_choices: Vec<String>,
    pub code: Option<String>,
    pub category: Category,
    pub action: Option<Action>,
    pub title: String,
    pub explanation: String,
    /// What the edited rule had that the form does not show (kept as it was).
    pub rest: Option<UserRule>,
}

/// The longest wording a new rule starts with (the user trims it to what matters).
const WORDING_MAX: usize = 240;

/// A reply's wording without the codes in front (`550 5.1.1 User unknown` → `User unknown`).
fn wording_of(diagnostic: &str) -> String {
    let is_code = |w: &str| {
        let w = w.trim_matches(|c: char| c == '-' || c == ':' || c == '#');
        !w.is_empty() && w.chars().all(|c| c.is_ascii_digit() || c == '.') && w.chars().any(|c| c.is_ascii_digit())
    };
    let words: Vec<&str> = diagnostic.split_whitespace().skip_while(|w| is_code(w)).collect();
    let mut out = String::new();
    for w in words {
        if out.len() + w.len() + 1 > WORDING_MAX {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

impl Draft {
    /// A new rule for a verdict: its reply, provider, codes and cause.
    pub fn from_verdict(diagnostic: &str, provider: Option<(ProviderId, String)>, codes: Vec<String>, category: Category) -> Draft {
        Draft {
            editing: None,
            wording: wording_of(diagnostic),
            is_pattern: false,
            provider,
            only_provider: false,
            code_choices: codes,
            code: None,
            category,
            action: None,
            title: String::new(),
            explanation: String::new(),
            rest: None,
        }
    }

    /// An existing rule.
    pub fn edit(r: &UserRule) -> Draft {
        Draft {
            editing: Some(r.id.clone()),
            wording: r.pattern.as_deref().map(|p| pattern_words(p).unwrap_or_else(|| p.to_string())).unwrap_or_default(),
            is_pattern: r.pattern.as_deref().is_some_and(|p| pattern_words(p).is_none()),
            provider: r.provider.clone().map(|p| (p.clone(), p.0)),
            only_provider: r.provider.is_some(),
            code_choices: r.codes.clone(),
            code: (r.codes.len() == 1).then(|| r.codes[0].clone()),
            category: r.category,
            action: r.action,
            title: r.title.clone(),
            explanation: r.explanation.clone(),
            rest: Some(r.clone()),
        }
    }

    /// The rule the form describes (or why it is not one yet).
    fn rule(&self, existing: &[UserRule]) -> Result<UserRule, String> {
        let wording = self.wording.trim();
        let pattern = match (wording.is_empty(), self.is_pattern) {
            (true, _) => None,
            (false, true) => Some(wording.to_string()),
            (false, false) => Some(pattern_for(wording)),
        };
        let codes = match (&self.rest, &self.code) {
            // An edited rule with several codes keeps them; the form offers one.
            (Some(r), _) if r.codes.len() > 1 => r.codes.clone(),
            (_, Some(c)) => vec![c.clone()],
            _ => vec![],
        };
        if pattern.is_none() && codes.is_empty() {
            return Err("Give the wording the rule looks for (or a code).".into());
        }
        let id = self.editing.clone().unwrap_or_else(|| new_id(existing));
        let title = match self.title.trim() {
            "" => format!("Your reading: {}", self.category.label()),
            t => t.to_string(),
        };
        let explanation = match self.explanation.trim() {
            "" => format!("You decided that replies like this mean: {}.", self.category.label().to_lowercase()),
            t => t.to_string(),
        };
        let base = self.rest.clone();
        let keep = |f: fn(&UserRule) -> Option<String>| base.as_ref().and_then(f);
        Ok(UserRule {
            id,
            provider: self.provider.as_ref().filter(|_| self.only_provider).map(|(p, _)| p.clone()),
            identifies: base.as_ref().is_some_and(|r| r.identifies),
            codes,
            pattern,
            category: self.category,
            // The cause's own class, bounce type and owner unless the edited rule set them
            // for this same cause.
            class: base.as_ref().filter(|r| r.category == self.category).and_then(|r| r.class),
            action: self.action,
            owner: base.as_ref().filter(|r| r.category == self.category).and_then(|r| r.owner),
            bounce_type: base.as_ref().filter(|r| r.category == self.category).and_then(|r| r.bounce_type),
            strength: None,
            title,
            explanation,
            advice: keep(|r| r.advice.clone()),
            escalation: keep(|r| r.escalation.clone()),
            provider_note: keep(|r| r.provider_note.clone()),
            examples: base.as_ref().map(|r| r.examples.clone()).unwrap_or_default(),
        })
    }
}

/// An id no other rule of the user's has (`user.1`, `user.2`...).
fn new_id(existing: &[UserRule]) -> String {
    let n = existing.iter().filter_map(|r| r.id.strip_prefix("user.")?.parse::<u64>().ok()).max().unwrap_or(0);
    format!("user.{}", n + 1)
}

#[derive(Properties, PartialEq)]
pub struct RuleFormProps {
    pub draft: Draft,
    /// The form is done (saved or cancelled).
    pub on_close: Callback<()>,
}

enum Edit {
    Wording(String),
    IsPattern(bool),
    OnlyProvider(bool),
    Code(Option<String>),
    Category(Category),
    Action(Option<Action>),
    Title(String),
    Explanation(String),
}

#[function_component(RuleForm)]
pub fn rule_form(p: &RuleFormProps) -> Html {
    let ctx = use_context::<RulesCtx>().expect("the rule form is inside the app");
    let draft = use_state(|| p.draft.clone());
    let error = use_state(|| None::<String>);
    let saving = use_state(|| false);
    let edit = {
        let draft = draft.clone();
        Callback::from(move |e: Edit| {
            let mut d = (*draft).clone();
            match e {
                Edit::Wording(w) => d.wording = w,
                Edit::IsPattern(b) => d.is_pattern = b,
                Edit::OnlyProvider(b) => d.only_provider = b,
                Edit::Code(c) => d.code = c,
                Edit::Category(c) => d.category = c,
                Edit::Action(a) => d.action = a,
                Edit::Title(t) => d.title = t,
                Edit::Explanation(t) => d.explanation = t,
            }
            draft.set(d);
        })
    };
    let onsubmit = {
        let draft = draft.clone();
        let error = error.clone();
        let saving = saving.clone();
        let ctx = ctx.clone();
        let on_close = p.on_close.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let rule = match draft.rule(&ctx.rules) {
                Ok(r) => r,
                Err(m) => return error.set(Some(m)),
            };
            let mut rules: Vec<UserRule> = (*ctx.rules).clone();
            match rules.iter_mut().find(|r| r.id == rule.id) {
                Some(old) => *old = rule,
                // New rules go first: the newest reading wins over an older one.
                None => rules.insert(0, rule),
            }
            saving.set(true);
            let error = error.clone();
            let saving = saving.clone();
            let on_close = on_close.clone();
            ctx.save.emit((
                rules,
                Callback::from(move |r: Result<usize, String>| {
                    saving.set(false);
                    match r {
                        Ok(_) => on_close.emit(()),
                        Err(m) => error.set(Some(m)),
                    }
                }),
            ));
        })
    };
    let cancel = {
        let on_close = p.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    let d = &*draft;
    let text = |f: fn(String) -> Edit| {
        let edit = edit.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()).or_else(|| e.target_dyn_into::<HtmlTextAreaElement>().map(|t| t.value())).unwrap_or_default();
            edit.emit(f(v));
        })
    };
    let check = |f: fn(bool) -> Edit| {
        let edit = edit.clone();
        Callback::from(move |e: Event| {
            let i: HtmlInputElement = e.target_unchecked_into();
            edit.emit(f(i.checked()));
        })
    };
    let on_code = {
        let edit = edit.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            let v = s.value();
            edit.emit(Edit::Code((!v.is_empty()).then_some(v)));
        })
    };
    let on_category = {
        let edit = edit.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            if let Some(c) = Category::from_id(&s.value()) {
                edit.emit(Edit::Category(c));
            }
        })
    };
    let on_action = {
        let edit = edit.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            edit.emit(Edit::Action(Action::from_id(&s.value())));
        })
    };
    let usual = d.category.default_action(d.category.default_class());
    let uid = use_memo((), |_| super::client::ticket());
    let fid = |name: &str| format!("rf-{uid}-{name}");
    html! {
        <form class="rule-form" data-testid="rule-form" {onsubmit}>
            <h3>{ if d.editing.is_some() { "Edit your rule" } else { "This verdict is wrong: make your own rule" } }</h3>
            <p class="hint">{ "Your rules are kept on this computer only and are tried before the built-in ones, here and in file analyses." }</p>
            <label for={fid("wording")}>{ "Replies that contain" }</label>
            <textarea id={fid("wording")} data-testid="rule-wording" rows="3" spellcheck="false" value={d.wording.clone()} oninput={text(Edit::Wording)} />
            <label class="inline"><input type="checkbox" checked={d.is_pattern} onchange={check(Edit::IsPattern)} />{ " This is a pattern (a regular expression), not words as written" }</label>
            if !d.is_pattern {
                <p class="hint">{ "Shorten it to the words that matter: addresses, numbers and ids change from one reply to the next." }</p>
            }
            <div class="rf-row">
                if let Some((_, name)) = &d.provider {
                    <label class="inline"><input type="checkbox" data-testid="rule-only-provider" checked={d.only_provider} onchange={check(Edit::OnlyProvider)} />{ format!(" Only in replies from {name}") }</label>
                }
                if !d.code_choices.is_empty() {
                    <label class="inline" for={fid("code")}>{ "Code: " }</label>
                    <select id={fid("code")} data-testid="rule-code" onchange={on_code}>
                        <option value="" selected={d.code.is_none()}>{ "any code" }</option>
                        { for d.code_choices.iter().map(|c| html! { <option value={c.clone()} selected={d.code.as_deref() == Some(c.as_str())}>{ format!("only with {c}") }</option> }) }
                    </select>
                }
            </div>
            <div class="rf-row">
                <span>
                    <label for={fid("category")}>{ "It means" }</label>
                    <select id={fid("category")} data-testid="rule-category" onchange={on_category}>
                        { for Category::ALL.iter().map(|c| html! { <option value={c.id()} selected={*c == d.category}>{ c.label() }</option> }) }
                    </select>
                </span>
                <span>
                    <label for={fid("action")}>{ "Do" }</label>
                    <select id={fid("action")} data-testid="rule-action" onchange={on_action}>
                        <option value="" selected={d.action.is_none()}>{ format!("the usual: {}", usual.label()) }</option>
                        { for Action::ALL.iter().map(|a| html! { <option value={a.id()} selected={Some(*a) == d.action}>{ a.label() }</option> }) }
                    </select>
                </span>
            </div>
            <label for={fid("title")}>{ "Name (shown as evidence: \u{201c}your rule: …\u{201d})" }</label>
            <input id={fid("title")} type="text" data-testid="rule-title" value={d.title.clone()} placeholder={format!("Your reading: {}", d.category.label())} oninput={text(Edit::Title)} />
            <label for={fid("why")}>{ "Why (shown on the verdict)" }</label>
            <input id={fid("why")} type="text" value={d.explanation.clone()} placeholder="e.g. our gateway says this for addresses that left the company" oninput={text(Edit::Explanation)} />
            if let Some(m) = &*error {
                <p class="notices error" role="alert" data-testid="rule-error">{ m }</p>
            }
            <div class="rf-actions">
                <button type="submit" class="primary" data-testid="rule-save" disabled={*saving}>{ if d.editing.is_some() { "Save the rule" } else { "Make the rule" } }</button>
                <button type="button" class="ghost" onclick={cancel}>{ "Cancel" }</button>
            </div>
        </form>
    }
}
