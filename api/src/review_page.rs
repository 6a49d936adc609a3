//! The printable version of a reverse-review report: HTML built from the stored report alone,
//! every value escaped.

use mcp_domain::review::{ItemState, ReviewReport};
use mcp_domain::vocabulary::HolderKind;

use crate::pages::escape;

/// The printable report. Every value comes from the stored report and is escaped.
pub fn render(r: &ReviewReport, digest: &str) -> String {
    let e = |s: &str| escape(s);
    let opt = |s: &Option<String>| s.as_deref().map(escape).unwrap_or_else(|| "—".into());
    let mut rows = String::new();
    for i in &r.items {
        rows.push_str(&format!(
            "<tr><td>{holder}<br><small>{kind}</small></td><td>{profile}</td><td>{mission}</td>\
             <td>{granted}</td><td>{ends}</td><td>{opening} → {completion}</td><td>{used}</td>\
             <td>{decision}</td><td>{by}<br><small>{at}</small></td><td>{reason}</td></tr>\n",
            holder = e(&i.holder.name),
            kind = if HolderKind::from_code(&i.holder.kind) == Some(HolderKind::Group) {
                "groupe"
            } else {
                "personne"
            },
            profile = e(&i.profile_code),
            mission = e(&i.mission_label),
            granted = e(&i.granted_at),
            ends = i
                .ends_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
            opening = e(&i.status_at_opening),
            completion = e(&i.status_at_completion),
            used = i
                .last_used_at
                .as_deref()
                .map(escape)
                .unwrap_or_else(|| "jamais".into()),
            decision = ItemState::from_code(&i.decision)
                .unwrap_or(ItemState::Pending)
                .label(),
            by = i
                .decided_by
                .as_ref()
                .map(|p| e(&p.full_name))
                .unwrap_or_else(|| "—".into()),
            at = match (&i.decided_at, &i.ended_at) {
                (Some(at), _) => e(at),
                (None, Some(ended)) => format!("terminée le {}", e(ended)),
                _ => String::new(),
            },
            reason = opt(&i.reason),
        ));
    }
    let opened_by = r
        .opened_by
        .as_ref()
        .map(|p| e(&p.full_name))
        .unwrap_or_else(|| "la campagne annuelle (automatique)".into());
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>Revue inverse {year} — {partner}</title>\n<style>\n\
body{{font-family:system-ui,Arial,sans-serif;margin:2rem;color:#161616;line-height:1.4}}\n\
h1{{font-size:1.4rem}}table{{border-collapse:collapse;width:100%;font-size:.85rem}}\n\
th,td{{border:1px solid #777;padding:.3rem;vertical-align:top;text-align:left}}\n\
dl{{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}}dt{{font-weight:600}}\n\
code{{word-break:break-all}}@media print{{body{{margin:0}}}}\n</style>\n</head>\n<body>\n<main>\n\
<h1>Revue inverse des habilitations {year}</h1>\n\
<p>Rapport transmis à la Caf en preuve de la revue (contrat de services, art. 2.2.2).</p>\n<dl>\n\
<dt>Caf</dt><dd>{caf} ({caf_code})</dd>\n\
<dt>Partenaire</dt><dd>{partner} — SIRET {siret}</dd>\n\
<dt>Convention</dt><dd>{convention}</dd>\n\
<dt>Ouverte le</dt><dd>{opened_at}, par {opened_by}</dd>\n\
<dt>À terminer le</dt><dd>{due_on}</dd>\n\
<dt>Terminée le</dt><dd>{completed_at}, par {completed_by} (administrateur principal)</dd>\n\
<dt>Habilitations revues</dt><dd>{items} : {confirmed} confirmée(s), {removed} retirée(s), {ended} terminée(s) pendant la campagne</dd>\n\
</dl>\n<table>\n<thead><tr><th scope=\"col\">Titulaire</th><th scope=\"col\">Profil</th>\
<th scope=\"col\">Mission</th><th scope=\"col\">Accordée le</th><th scope=\"col\">Fin</th>\
<th scope=\"col\">Statut (ouverture → fin)</th><th scope=\"col\">Dernière utilisation</th>\
<th scope=\"col\">Décision</th><th scope=\"col\">Par, le</th><th scope=\"col\">Motif</th></tr></thead>\n\
<tbody>\n{rows}</tbody>\n</table>\n\
<p>Empreinte SHA-256 du rapport JSON canonique (RFC 8785) : <code>{digest}</code></p>\n\
<p><small>Campagne {campaign}</small></p>\n</main>\n</body>\n</html>\n",
        year = r.year,
        partner = e(&r.partner.name),
        siret = e(&r.partner.siret),
        caf = e(&r.caf.name),
        caf_code = e(&r.caf.code),
        convention = e(&r.convention.number),
        opened_at = e(&r.opened_at),
        due_on = r.due_on,
        completed_at = e(&r.completed_at),
        completed_by = e(&r.completed_by.full_name),
        items = r.counts.items,
        confirmed = r.counts.confirmed,
        removed = r.counts.removed,
        ended = r.counts.ended,
        digest = e(digest),
        campaign = e(&r.campaign_id),
    )
}

#[cfg(test)]
mod tests {
    use mcp_domain::review::*;

    #[test]
    fn the_printable_report_escapes_every_value() {
        let hostile = "<script>alert('x')</script> & \"co\"";
        let person = ReportPerson {
            account_id: "a".into(),
            full_name: hostile.into(),
        };
        let item = ReportItem {
            habilitation_id: "h".into(),
            holder: ReportHolder {
                kind: "group".into(),
                id: "g".into(),
                name: hostile.into(),
            },
            profile_id: "p".into(),
            profile_code: hostile.into(),
            mission_id: "m".into(),
            mission_label: hostile.into(),
            granted_at: "2027-01-01T00:00:00.000000Z".into(),
            ends_on: None,
            status_at_opening: "active".into(),
            status_at_completion: "devalidated".into(),
            last_used_at: None,
            decision: "removed".into(),
            decided_by: Some(person.clone()),
            decided_at: Some("2027-02-01T00:00:00.000000Z".into()),
            reason: Some(hostile.into()),
            ended_at: None,
        };
        let report = ReviewReport::new(
            ReportHeader {
                campaign_id: "c".into(),
                year: 2027,
                caf: ReportCaf {
                    id: "caf".into(),
                    code: "771".into(),
                    name: hostile.into(),
                },
                partner: ReportPartner {
                    id: "p".into(),
                    siret: "21770251200013".into(),
                    name: hostile.into(),
                },
                convention: ReportConvention {
                    id: "conv".into(),
                    number: hostile.into(),
                },
                opened_at: chrono::NaiveDate::from_ymd_opt(2027, 1, 2)
                    .unwrap()
                    .and_hms_opt(3, 0, 0)
                    .unwrap(),
                opened_by: Some(person.clone()),
                due_on: chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
                completed_at: chrono::NaiveDate::from_ymd_opt(2027, 2, 1)
                    .unwrap()
                    .and_hms_opt(10, 0, 0)
                    .unwrap(),
                completed_by: person,
            },
            vec![item],
        )
        .unwrap();
        let html = super::render(&report, "ab12");
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("alert('x')"));
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;")
        );
        assert!(html.contains("Retirée"));
        assert!(html.contains("<code>ab12</code>"));
        assert!(html.contains("1 retirée(s)"));
    }
}
