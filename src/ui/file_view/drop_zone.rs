//! Where files come in: the file picker, and a table pasted as text. (Drops anywhere on the
//! page are caught by the view itself.)

use web_sys::{File, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Files from a drop or a file input.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect()).unwrap_or_default()
}

#[derive(Properties, PartialEq)]
pub struct DropZoneProps {
    pub on_files: Callback<Vec<File>>,
    pub on_notice: Callback<String>,
}

#[function_component(DropZone)]
pub fn drop_zone(p: &DropZoneProps) -> Html {
    let paste_ref = use_node_ref();
    let on_pick = {
        let on_files = p.on_files.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            on_files.emit(files_of(input.files()));
            input.set_value("");
        })
    };
    let on_paste_table = {
        let on_files = p.on_files.clone();
        let on_notice = p.on_notice.clone();
        let paste_ref = paste_ref.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(el) = paste_ref.cast::<HtmlTextAreaElement>() else { return };
            let text = el.value();
            if text.trim().is_empty() {
                on_notice.emit("Paste a table first (for example copied from a spreadsheet).".into());
                return;
            }
            let parts = js_sys::Array::new();
            parts.push(&text.into());
            match File::new_with_str_sequence(&parts, "pasted table.txt") {
                Ok(f) => on_files.emit(vec![f]),
                Err(_) => on_notice.emit("This browser cannot turn the pasted text into a file.".into()),
            }
        })
    };
    html! {
        <div class="drop-zone">
            <label class="primary file-btn">
                { "Choose files…" }
                <input type="file" multiple=true data-testid="file-input" onchange={on_pick} />
            </label>
            <span class="hint">{ "or drop them here · Mailchimp, Klaviyo, HubSpot, ActiveCampaign, SendGrid, Mailgun, Amazon SES, Postmark, Brevo, Campaign Monitor, Salesforce MC and any table with an address column" }</span>
            <details class="paste-table">
                <summary>{ "…or paste a table" }</summary>
                <label for="table-input" class="sr-only">{ "Table to analyse" }</label>
                <textarea id="table-input" data-testid="table-input" ref={paste_ref} rows="5" placeholder={"email,reason\njane@example.com,550 5.1.1 user unknown"} />
                <button type="button" class="ghost" onclick={on_paste_table}>{ "Analyse the table" }</button>
            </details>
        </div>
    }
}
