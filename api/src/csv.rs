//! Files for spreadsheets (traces, a partner's users and habilitations), written for their reader.
//! In French, as French spreadsheets open a file: a byte-order mark (without it the accents
//! break), `;` between fields (`,` is the decimal separator), French headings and dates
//! (`02/12/2026`, `02/12/2026 14:05:00`, UTC as the heading says). In English
//! (`Accept-Language: en`): `,`, English column names, ISO 8601 dates and RFC 3339 instants.

use chrono::{NaiveDate, NaiveDateTime};

use crate::lang::Lang;

/// How a file is written for its reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvDialect(pub Lang);

impl CsvDialect {
    /// The language the request asks for.
    pub fn of(req: &actix_web::HttpRequest) -> Self {
        Self(Lang::of(req))
    }

    /// French or English, by the dialect.
    pub fn pick<'a>(self, english: &'a str, french: &'a str) -> &'a str {
        match self.0 {
            Lang::Fr => french,
            Lang::En => english,
        }
    }

    fn separator(self) -> &'static str {
        self.pick(",", ";")
    }

    /// What comes before the first line: the mark, then the headings of `columns`, each given
    /// as (English name, French heading).
    pub fn head(self, columns: &[(&str, &str)]) -> String {
        let names: Vec<String> = columns
            .iter()
            .map(|(en, fr)| match self.0 {
                Lang::Fr => field(fr),
                Lang::En => (*en).to_string(),
            })
            .collect();
        format!(
            "{}{}\r\n",
            self.pick("", "\u{feff}"),
            names.join(self.separator())
        )
    }

    /// One line of fields (an absent one is empty).
    pub fn line(self, fields: &[Option<&str>]) -> String {
        let mut line = fields
            .iter()
            .map(|f| field(f.unwrap_or("")))
            .collect::<Vec<_>>()
            .join(self.separator());
        line.push_str("\r\n");
        line
    }

    /// An instant (stored in UTC).
    pub fn instant(self, t: NaiveDateTime) -> String {
        match self.0 {
            Lang::Fr => t.format("%d/%m/%Y %H:%M:%S").to_string(),
            Lang::En => t.and_utc().to_rfc3339(),
        }
    }

    /// A calendar date.
    pub fn date(self, d: NaiveDate) -> String {
        match self.0 {
            Lang::Fr => d.format("%d/%m/%Y").to_string(),
            Lang::En => d.to_string(),
        }
    }
}

/// One CSV field: quoted, quotes doubled, and a leading formula character neutralised so that a
/// spreadsheet never runs what a field contains.
fn field(v: &str) -> String {
    let guarded = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_string()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_never_formulas() {
        assert_eq!(field("a\"b"), "\"a\"\"b\"");
        assert_eq!(field("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
        assert_eq!(field("-1"), "\"'-1\"");
        assert_eq!(field("a,b\nc"), "\"a,b\nc\"");
    }

    #[test]
    fn french_and_english_files() {
        let fr = CsvDialect(Lang::Fr);
        assert_eq!(
            fr.head(&[("name", "Nom"), ("at", "Date")]),
            "\u{feff}\"Nom\";\"Date\"\r\n"
        );
        assert_eq!(
            fr.line(&[Some("l'Hérault; \"sud\""), None, Some("=1+1")]),
            "\"l'Hérault; \"\"sud\"\"\";\"\";\"'=1+1\"\r\n"
        );
        let d = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(fr.date(d), "02/12/2026");
        assert_eq!(
            fr.instant(d.and_hms_opt(14, 5, 0).unwrap()),
            "02/12/2026 14:05:00"
        );
        let en = CsvDialect(Lang::En);
        assert_eq!(en.head(&[("name", "Nom")]), "name\r\n");
        assert_eq!(en.line(&[Some("a"), Some("b")]), "\"a\",\"b\"\r\n");
        assert_eq!(en.date(d), "2026-12-02");
        assert_eq!(
            en.instant(d.and_hms_opt(14, 5, 0).unwrap()),
            "2026-12-02T14:05:00+00:00"
        );
    }
}
