//! The files of the analysis, and for each table which column was taken for what, with a
//! choice to change it (the analysis then runs again).

use super::format::int;
use super::state::ReportRef;
use crate::batch::columns::Role;
use crate::batch::FileInfo;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// A column's new role: (file index, column index, role or none).
pub type RoleChoice = (usize, usize, Option<Role>);

#[derive(Properties, PartialEq)]
pub struct FilesProps {
    pub report: ReportRef,
    pub on_role: Callback<RoleChoice>,
}

#[function_component(FilesPanel)]
pub fn files_panel(p: &FilesProps) -> Html {
    let files = &p.report.files;
    html! {
        <section class="panel files" aria-labelledby="files-title" data-testid="files">
            <h2 id="files-title">{ if files.len() == 1 { "The file".to_string() } else { format!("The {} files", files.len()) } }</h2>
            { for files.iter().enumerate().map(|(fi, f)| file_info(fi, f, &p.on_role)) }
        </section>
    }
}

fn file_info(fi: usize, f: &FileInfo, on_role: &Callback<RoleChoice>) -> Html {
    html! {
        <div class="file-info" data-testid="file-info">
            <p class="file-line">
                <strong>{ &f.name }</strong>
                { format!(" · {} · {} · {} rows read, {} analysed", f.format_label, if f.encoding.is_empty() { "-" } else { &f.encoding }, int(f.rows as f64), int(f.analysed as f64)) }
                { if f.bad_rows > 0 { format!(", {} bad", int(f.bad_rows as f64)) } else { String::new() } }
            </p>
            if let Some(l) = &f.layout { <p class="layout" data-testid="layout">{ format!("Looks like: {l}") }</p> }
            if !f.other_events.is_empty() {
                <p class="hint">{ format!("Other events, not bounces (not analysed): {}", f.other_events.iter().map(|(e, n)| format!("{e} {}", int(*n as f64))).collect::<Vec<_>>().join(", ")) }</p>
            }
            if let Some(p) = &f.problem { <p class="notices error" data-testid="file-problem">{ p }</p> }
            { for f.notes.iter().map(|n| html! { <p class="notices" data-testid="file-note">{ n }</p> }) }
            if !f.headers.is_empty() {
                <details class="columns" open={f.problem.is_some()}>
                    <summary>{ "Columns: which was taken for what (change it if it is wrong)" }</summary>
                    <table class="cols" data-testid="columns">
                        <thead><tr><th scope="col">{ "Column" }</th><th scope="col">{ "Used as" }</th><th scope="col">{ "Sample values" }</th></tr></thead>
                        <tbody>{ for f.headers.iter().enumerate().take(60).map(|(ci, h)| column(fi, ci, h, f, on_role)) }</tbody>
                    </table>
                </details>
            }
        </div>
    }
}

fn column(fi: usize, ci: usize, header: &str, f: &FileInfo, on_role: &Callback<RoleChoice>) -> Html {
    let role = f.roles.get(ci).cloned().flatten();
    let on_role = on_role.clone();
    let onchange = Callback::from(move |e: Event| {
        let s: HtmlSelectElement = e.target_unchecked_into();
        let r = Role::ALL.iter().find(|r| r.id() == s.value()).copied();
        on_role.emit((fi, ci, r));
    });
    html! {
        <tr data-column={header.to_string()} data-role={role.map(|r| r.id()).unwrap_or("")}>
            <td><code>{ header }</code></td>
            <td>
                <select aria-label={format!("Role of column {header}")} {onchange}>
                    <option value="" selected={role.is_none()}>{ "not used" }</option>
                    { for Role::ALL.iter().map(|r| html! { <option value={r.id()} selected={role == Some(*r)}>{ r.label() }</option> }) }
                </select>
            </td>
            <td class="samples">{ f.samples.get(ci).map(|s| s.join(" · ")).unwrap_or_default() }</td>
        </tr>
    }
}
