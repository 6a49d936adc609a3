//! The Caf service centre (S-art. 3) and the escalation procedure (S-art. 3.3).
//!
//! The partner's habilitation managers are level-1 support for its users; only they — the
//! partner's support structure — file requests with the Caf service centre, giving the services
//! concerned, the motive, the user concerned and whom to call back. The centre's agents take,
//! answer, route, resolve and close them. When one side leaves the other's message unanswered
//! longer than the contract's delay, or either side deems the situation urgent, the escalation
//! opens: the contacts of both sides are named, in the contract's order, and told.

use chrono::{Datelike, Duration, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use serde::{Deserialize, Serialize};

use crate::access::{Function, Principal, Role};
use crate::contract::{Contact, ContactRole};
use crate::convention::Party;
use crate::error::{Checks, DomainError, ErrorCode};
use crate::ids::AccountId;

/// Longest delay a contract may give either side to answer, in days.
pub const MAX_ESCALATION_DELAY_DAYS: u16 = 90;
/// Longest text of a message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 8000;

/// A day of the week, as the contract names opening days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Day {
    /// Lundi.
    Monday,
    /// Mardi.
    Tuesday,
    /// Mercredi.
    Wednesday,
    /// Jeudi.
    Thursday,
    /// Vendredi.
    Friday,
    /// Samedi.
    Saturday,
    /// Dimanche.
    Sunday,
}

impl Day {
    const ALL: [Day; 7] = [
        Self::Monday,
        Self::Tuesday,
        Self::Wednesday,
        Self::Thursday,
        Self::Friday,
        Self::Saturday,
        Self::Sunday,
    ];

    fn of(weekday: Weekday) -> Self {
        Self::ALL[weekday.num_days_from_monday() as usize]
    }

    fn in_french(self) -> &'static str {
        match self {
            Self::Monday => "lundi",
            Self::Tuesday => "mardi",
            Self::Wednesday => "mercredi",
            Self::Thursday => "jeudi",
            Self::Friday => "vendredi",
            Self::Saturday => "samedi",
            Self::Sunday => "dimanche",
        }
    }
}

/// What the contract says of its service centre (S-art. 3.2, 3.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceCentreTerms {
    /// The days it is open.
    pub opening_days: Vec<Day>,
    /// When it opens, Paris time.
    pub opens_at: NaiveTime,
    /// When it closes, Paris time.
    pub closes_at: NaiveTime,
    /// Days either side has to answer the other before the escalation opens; none when the
    /// contract sets no delay (the Bavans contract), so that only urgency opens it.
    pub escalation_delay_days: Option<u16>,
}

impl Default for ServiceCentreTerms {
    /// The Lieusaint contract: Monday to Friday, 9 h to 16 h; ten days to answer.
    fn default() -> Self {
        Self {
            opening_days: vec![
                Day::Monday,
                Day::Tuesday,
                Day::Wednesday,
                Day::Thursday,
                Day::Friday,
            ],
            opens_at: NaiveTime::from_hms_opt(9, 0, 0).expect("valid"),
            closes_at: NaiveTime::from_hms_opt(16, 0, 0).expect("valid"),
            escalation_delay_days: Some(10),
        }
    }
}

impl ServiceCentreTerms {
    /// Refuses terms no one could use: no opening day, closing before opening, a delay of
    /// zero or beyond [`MAX_ESCALATION_DELAY_DAYS`]. Days are kept once, Monday first.
    pub fn check(mut self, field: &str) -> Result<Self, DomainError> {
        let mut c = Checks::new();
        self.opening_days.sort();
        self.opening_days.dedup();
        if self.opening_days.is_empty() {
            c.push(
                format!("{field}.opening_days"),
                "required",
                crate::msg!(
                    "le centre de services est ouvert au moins un jour par semaine",
                    "the service centre opens at least one day a week"
                ),
            );
        }
        if self.closes_at <= self.opens_at {
            c.push(
                format!("{field}.closes_at"),
                "before_opening",
                crate::msg!(
                    "l'heure de fermeture du centre de services suit son heure d'ouverture",
                    "the service centre closes after it opens"
                ),
            );
        }
        if let Some(d) = self.escalation_delay_days {
            if !(1..=MAX_ESCALATION_DELAY_DAYS).contains(&d) {
                c.push(
                    format!("{field}.escalation_delay_days"),
                    "out_of_range",
                    crate::msg!(
                        "entre 1 et {MAX_ESCALATION_DELAY_DAYS} jours, ou absent quand le contrat \
                         ne fixe aucun délai",
                        "between 1 and {MAX_ESCALATION_DELAY_DAYS} days, or absent when the \
                         contract sets no delay"
                    ),
                );
            }
        }
        c.finish()?;
        Ok(self)
    }

    /// Whether the centre is open at `utc`, read in Paris time.
    pub fn is_open(&self, utc: NaiveDateTime) -> bool {
        let local = paris(utc);
        self.opening_days.contains(&Day::of(local.weekday()))
            && self.opens_at <= local.time()
            && local.time() < self.closes_at
    }

    /// The next instant (UTC) the centre opens after `utc`, or `utc` itself when it is open.
    pub fn next_opening(&self, utc: NaiveDateTime) -> NaiveDateTime {
        if self.is_open(utc) {
            return utc;
        }
        let local = paris(utc);
        (0..=7)
            .map(|n| local.date() + Duration::days(n))
            .map(|d| d.and_time(self.opens_at))
            .filter(|at| *at > local && self.opening_days.contains(&Day::of(at.weekday())))
            .find_map(from_paris)
            .unwrap_or(utc)
    }

    /// The hours as the contract writes them: "du lundi au vendredi de 9 h à 16 h".
    pub fn hours_in_french(&self) -> String {
        let days = &self.opening_days;
        let consecutive = days.len() > 2 && days.windows(2).all(|w| w[1] as u8 == w[0] as u8 + 1);
        let which = match days.as_slice() {
            [only] => format!("le {}", only.in_french()),
            [first, .., last] if consecutive => {
                format!("du {} au {}", first.in_french(), last.in_french())
            }
            _ => {
                let names: Vec<_> = days.iter().map(|d| d.in_french()).collect();
                let (last, rest) = names.split_last().expect("at least one day");
                format!("le {} et le {last}", rest.join(", le "))
            }
        };
        format!(
            "{which} de {} à {}",
            hour_in_french(self.opens_at),
            hour_in_french(self.closes_at)
        )
    }

    /// When the escalation opens for a message left unanswered since `since`: the contract's
    /// delay later, in calendar days; never when the contract sets no delay.
    pub fn escalation_due_at(&self, since: NaiveDateTime) -> Option<NaiveDateTime> {
        self.escalation_delay_days
            .map(|d| since + Duration::days(i64::from(d)))
    }
}

fn paris(utc: NaiveDateTime) -> NaiveDateTime {
    chrono_tz::Europe::Paris
        .from_utc_datetime(&utc)
        .naive_local()
}

fn from_paris(local: NaiveDateTime) -> Option<NaiveDateTime> {
    chrono_tz::Europe::Paris
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.naive_utc())
}

fn hour_in_french(t: NaiveTime) -> String {
    use chrono::Timelike;
    match t.minute() {
        0 => format!("{} h", t.hour()),
        m => format!("{} h {m:02}", t.hour()),
    }
}

/// Why the partner turns to the service centre (S-art. 3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Motive {
    /// A technical incident.
    TechnicalIncident,
    /// A problem of access to the service.
    AccessProblem,
    /// Anything else.
    Other,
}

impl Motive {
    /// Every motive.
    pub const ALL: [Motive; 3] = [Self::TechnicalIncident, Self::AccessProblem, Self::Other];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::TechnicalIncident => "technical_incident",
            Self::AccessProblem => "access_problem",
            Self::Other => "other",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// As a French message says it.
    pub fn in_french(self) -> &'static str {
        match self {
            Self::TechnicalIncident => "incident technique",
            Self::AccessProblem => "problème d'accès au service",
            Self::Other => "autre demande",
        }
    }
}

/// Where a request to the service centre stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Filed by the partner; no agent has taken it yet.
    Open,
    /// An agent follows it.
    Taken,
    /// The agent routed the intervention to the sector concerned (or the national level).
    Routed,
    /// The agent says it is resolved; the partner may still answer, which reopens it.
    Resolved,
    /// Closed: nothing more is added.
    Closed,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 5] = [
        Self::Open,
        Self::Taken,
        Self::Routed,
        Self::Resolved,
        Self::Closed,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Taken => "taken",
            Self::Routed => "routed",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    fn in_english(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Taken => "being handled",
            Self::Routed => "routed",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    fn in_french(self) -> &'static str {
        match self {
            Self::Open => "ouverte",
            Self::Taken => "prise en charge",
            Self::Routed => "aiguillée",
            Self::Resolved => "résolue",
            Self::Closed => "close",
        }
    }
}

/// What happens on a request: each is kept on it, in order, with who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The partner filed it.
    Filed,
    /// A message from either side.
    Message,
    /// An agent took it.
    Taken,
    /// An agent routed it.
    Routed,
    /// An agent resolved it.
    Resolved,
    /// An agent closed it.
    Closed,
    /// A side deemed the situation urgent.
    FlaggedUrgent,
    /// The escalation opened: the contacts of both sides were told.
    Escalated,
}

impl Step {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Filed => "filed",
            Self::Message => "message",
            Self::Taken => "taken",
            Self::Routed => "routed",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
            Self::FlaggedUrgent => "flagged_urgent",
            Self::Escalated => "escalated",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Filed,
            Self::Message,
            Self::Taken,
            Self::Routed,
            Self::Resolved,
            Self::Closed,
            Self::FlaggedUrgent,
            Self::Escalated,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// The side a person acts for on a request to the service centre, and the function that lets
/// them: the partner's habilitation managers (its administrators and delegated managers) file
/// and answer; the Caf's service-centre agents and administrators take, answer, route, resolve
/// and close.
pub fn side_of(principal: &Principal) -> Result<(Party, Function), DomainError> {
    match principal.role {
        Role::PartnerAdministrator | Role::PartnerUser => {
            Ok((Party::Partner, Function::FileSupportRequests))
        }
        Role::ServiceCentreAgent | Role::CafAdministrator => {
            Ok((Party::Caf, Function::AnswerSupportRequests))
        }
        _ => Err(DomainError::Forbidden),
    }
}

/// Who waits for whose answer, and since when: the oldest message of one side the other has
/// not answered yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    /// The side expected to answer.
    pub on: Party,
    /// Since when.
    pub since: NaiveDateTime,
}

/// A request's state, as the steps change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// Where it stands.
    pub status: Status,
    /// Whether an agent follows it.
    pub taken: bool,
    /// Who is to answer, if anyone.
    pub waiting: Option<Waiting>,
}

impl State {
    /// A request just filed: the service centre is to answer.
    pub fn filed(now: NaiveDateTime) -> Self {
        Self {
            status: Status::Open,
            taken: false,
            waiting: Some(Waiting {
                on: Party::Caf,
                since: now,
            }),
        }
    }

    /// The state after `step` by `side` at `now`; `awaits_reply` says whether a message asks
    /// the other side something. Refuses any step on a closed request, and an agent's step
    /// the status forbids.
    pub fn after(
        self,
        step: Step,
        side: Party,
        awaits_reply: bool,
        now: NaiveDateTime,
    ) -> Result<Self, DomainError> {
        if self.status == Status::Closed {
            return Err(DomainError::conflict(
                ErrorCode::SupportRequestClosed,
                crate::msg!(
                    "cette demande au centre de services est close",
                    "this request to the service centre is closed"
                ),
            ));
        }
        let agent_only = matches!(
            step,
            Step::Taken | Step::Routed | Step::Resolved | Step::Closed
        );
        if agent_only && side != Party::Caf {
            return Err(DomainError::Forbidden);
        }
        let refused = |what_fr: &str, what_en: &str| {
            Err(DomainError::conflict(
                ErrorCode::SupportRequestStatusConflict,
                crate::message::Message::new(
                    format!(
                        "la demande est {} : elle ne peut pas être {what_fr}",
                        self.status.in_french()
                    ),
                    format!(
                        "the request is {}: it cannot be {what_en}",
                        self.status.in_english()
                    ),
                ),
            ))
        };
        let wait_on = |on: Party| {
            Some(match self.waiting {
                // The oldest unanswered message counts: a reminder does not restart the delay.
                Some(w) if w.on == on => w,
                _ => Waiting { on, since: now },
            })
        };
        Ok(match step {
            Step::Filed | Step::Escalated | Step::FlaggedUrgent => self,
            Step::Taken => match self.status {
                Status::Open | Status::Routed | Status::Taken => Self {
                    status: Status::Taken,
                    taken: true,
                    ..self
                },
                _ => return refused("prise en charge", "taken"),
            },
            Step::Routed => match self.status {
                Status::Open | Status::Taken => Self {
                    status: Status::Routed,
                    taken: true,
                    ..self
                },
                _ => return refused("aiguillée", "routed"),
            },
            Step::Resolved => match self.status {
                Status::Resolved => return refused("résolue de nouveau", "resolved again"),
                _ => Self {
                    status: Status::Resolved,
                    waiting: None,
                    ..self
                },
            },
            Step::Closed => Self {
                status: Status::Closed,
                waiting: None,
                ..self
            },
            Step::Message => match side {
                // The partner answers, or comes back on a resolved request: the centre is to
                // answer.
                Party::Partner => Self {
                    status: match self.status {
                        Status::Resolved if self.taken => Status::Taken,
                        Status::Resolved => Status::Open,
                        s => s,
                    },
                    waiting: wait_on(Party::Caf),
                    ..self
                },
                // The centre answered; when it asks the partner something, the partner is to
                // answer.
                Party::Caf => Self {
                    waiting: if awaits_reply {
                        wait_on(Party::Partner)
                    } else {
                        None
                    },
                    ..self
                },
            },
        })
    }
}

/// Why an escalation opened (S-art. 3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscalationReason {
    /// A side deemed the situation urgent.
    Urgent(Party),
    /// A side left the other's message unanswered past the contract's delay.
    Unanswered(Party),
}

impl EscalationReason {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Urgent(Party::Caf) => "urgent_for_caf",
            Self::Urgent(Party::Partner) => "urgent_for_partner",
            Self::Unanswered(Party::Caf) => "no_answer_from_caf",
            Self::Unanswered(Party::Partner) => "no_answer_from_partner",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Urgent(Party::Caf),
            Self::Urgent(Party::Partner),
            Self::Unanswered(Party::Caf),
            Self::Unanswered(Party::Partner),
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }

    fn in_french(self) -> &'static str {
        match self {
            Self::Urgent(Party::Caf) => "la Caf juge la situation urgente",
            Self::Urgent(Party::Partner) => "le partenaire juge la situation urgente",
            Self::Unanswered(Party::Caf) => {
                "le centre de services Caf n'a pas répondu dans le délai du contrat"
            }
            Self::Unanswered(Party::Partner) => {
                "le partenaire n'a pas répondu dans le délai du contrat"
            }
        }
    }
}

/// When the escalation of a request opens for want of an answer: the contract's delay after
/// the oldest unanswered message, if a side is to answer.
pub fn escalation_due_at(
    terms: &ServiceCentreTerms,
    waiting: Option<Waiting>,
) -> Option<NaiveDateTime> {
    waiting.and_then(|w| terms.escalation_due_at(w.since))
}

/// Whom the escalation names for `side`, in the contract's order: the contacts the contract
/// ranks for escalation (S-art. 3.3 lists them); when it ranks none on that side, that side's
/// administrators as annex 1 lists them; when it names none, the Caf's service centre, the
/// single point of call (S-art. 3.1).
pub fn escalation_contacts(contacts: &[Contact], side: Party) -> Vec<Contact> {
    let of_side = |roles: &[ContactRole]| -> Vec<&Contact> {
        contacts
            .iter()
            .filter(|c| c.side == side && roles.contains(&c.role))
            .collect()
    };
    let mut ranked: Vec<&Contact> = contacts
        .iter()
        .filter(|c| c.side == side && c.escalation_rank.is_some())
        .collect();
    ranked.sort_by_key(|c| c.escalation_rank);
    if ranked.is_empty() {
        ranked = of_side(&[
            ContactRole::PrincipalAdministrator,
            ContactRole::DeputyAdministrator,
        ]);
    }
    if ranked.is_empty() {
        ranked = of_side(&[ContactRole::ServiceCentre]);
    }
    ranked.into_iter().cloned().collect()
}

/// What the partner's support structure gives when it files a request (S-art. 3.2).
#[derive(Debug, Clone)]
pub struct FilingInput<'a> {
    /// What it is about, in a line.
    pub summary: &'a str,
    /// The incident or question, as the partner describes it.
    pub description: &'a str,
    /// The services concerned, by catalogue code (CDAP, AFAS…).
    pub services: &'a [String],
    /// A [`Motive`] code.
    pub motive: &'a str,
    /// The user concerned, an account of the partner, if the request is about one.
    pub user_concerned: Option<AccountId>,
    /// Whom to call back: name, telephone (the Bavans contract asks one), e-mail.
    pub callback: (&'a str, &'a str, Option<&'a str>),
}

/// A request, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filing {
    /// What it is about.
    pub summary: String,
    /// The first message.
    pub description: String,
    /// The services concerned.
    pub services: Vec<String>,
    /// Why.
    pub motive: Motive,
    /// The user concerned.
    pub user_concerned: Option<AccountId>,
    /// Whom to call back: name, telephone, e-mail.
    pub callback: (String, String, Option<String>),
}

impl Filing {
    /// Checks a request: a summary and a description, at least one service of the catalogue
    /// (`known_services`) each once, a known motive, a user concerned among the partner's own
    /// accounts, a contact to call back with a telephone number.
    pub fn check(
        input: &FilingInput<'_>,
        known_services: &[String],
        partner_accounts: &[AccountId],
    ) -> Result<Self, DomainError> {
        let mut c = Checks::new();
        let summary = c.take(check_text("summary", input.summary, 200));
        let description = c.take(check_text(
            "description",
            input.description,
            MAX_MESSAGE_CHARS,
        ));
        if input.services.is_empty() {
            c.push(
                "services",
                "required",
                crate::msg!(
                    "indiquez les services concernés (CDAP, AFAS…)",
                    "name the services concerned (CDAP, AFAS…)"
                ),
            );
        }
        for (i, code) in input.services.iter().enumerate() {
            if !known_services.contains(code) {
                c.push(
                    format!("services[{i}]"),
                    "unknown_service",
                    crate::msg!(
                        "aucun service du catalogue ne porte ce code",
                        "no service of the catalogue has this code"
                    ),
                );
            } else if input.services[..i].contains(code) {
                c.push(
                    format!("services[{i}]"),
                    "duplicate",
                    crate::msg!("cité deux fois", "named twice"),
                );
            }
        }
        let motive = Motive::from_code(input.motive);
        if motive.is_none() {
            c.push(
                "motive",
                "unknown_motive",
                crate::msg!(
                    "l'une des valeurs technical_incident, access_problem, other",
                    "one of technical_incident, access_problem, other"
                ),
            );
        }
        if let Some(a) = input.user_concerned {
            if !partner_accounts.contains(&a) {
                c.push(
                    "user_concerned_id",
                    "not_found",
                    crate::msg!(
                        "aucun compte ouvert de ce partenaire ne porte cet identifiant",
                        "no open account of this partner has this id"
                    ),
                );
            }
        }
        let (name, phone, email) = input.callback;
        let name = c.take(crate::text::name("callback.name", name, 200));
        let phone = c.take(crate::text::phone("callback.phone", phone));
        let email = match email.map(str::trim) {
            Some(e) if !e.is_empty() => c.take(crate::text::email("callback.email", e).map(Some)),
            _ => Some(None),
        };
        c.finish()?;
        Ok(Self {
            summary: summary.expect("checked"),
            description: description.expect("checked"),
            services: input.services.to_vec(),
            motive: motive.expect("checked"),
            user_concerned: input.user_concerned,
            callback: (
                name.expect("checked"),
                phone.expect("checked"),
                email.expect("checked"),
            ),
        })
    }
}

/// Checks what is written on a request: a summary or a message.
pub fn check_text(field: &str, text: &str, max: usize) -> Result<String, DomainError> {
    crate::text::required(field, text, max)
}

/// The line naming the request in messages: "« Accès CDAP impossible » (Ville de Lieusaint)".
fn named(summary: &str, partner: &str) -> String {
    format!("« {summary} » ({partner})")
}

/// The message telling the service centre a partner filed a request.
pub fn filed_message(
    partner: &str,
    summary: &str,
    motive: Motive,
    terms: &ServiceCentreTerms,
) -> (String, String) {
    (
        format!("Mon Compte Partenaire : nouvelle demande au centre de services de {partner}"),
        format!(
            "Bonjour,\n\n{partner} saisit le centre de services Caf ({motive}) : {req}.\n\nLe \
             centre de services est ouvert {hours}.\n",
            motive = motive.in_french(),
            req = named(summary, partner),
            hours = terms.hours_in_french(),
        ),
    )
}

/// The message telling the partner of an agent's step, or telling either side of the other's
/// message.
pub fn step_message(
    partner: &str,
    summary: &str,
    step: Step,
    by: Party,
    text: Option<&str>,
) -> (String, String) {
    let who = match by {
        Party::Caf => "Le centre de services Caf".to_string(),
        Party::Partner => partner.to_string(),
    };
    let what = match step {
        Step::Taken => "prend en charge",
        Step::Routed => "aiguille vers le secteur compétent",
        Step::Resolved => "indique avoir résolu",
        Step::Closed => "clôt",
        _ => "répond sur",
    };
    let text = text.map(|t| format!("\n\n{t}")).unwrap_or_default();
    (
        format!("Mon Compte Partenaire : votre demande au centre de services, {what}"),
        format!(
            "Bonjour,\n\n{who} {what} la demande {req}.{text}\n",
            req = named(summary, partner),
        ),
    )
}

/// The message telling the contacts of both sides the escalation opened (S-art. 3.3).
pub fn escalation_message(
    partner: &str,
    summary: &str,
    reason: EscalationReason,
    caf_contacts: &[Contact],
    partner_contacts: &[Contact],
) -> (String, String) {
    let list = |cs: &[Contact]| {
        if cs.is_empty() {
            return "  (aucun interlocuteur désigné au contrat)\n".to_string();
        }
        cs.iter()
            .map(|c| {
                let reach: Vec<&str> = [c.phone.as_deref(), c.email.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                format!("  - {} ({})\n", c.name, reach.join(", "))
            })
            .collect()
    };
    (
        format!("Mon Compte Partenaire : procédure d'escalade pour une demande de {partner}"),
        format!(
            "Bonjour,\n\nLa procédure d'escalade du contrat de services (art. 3.3) est mise en \
             œuvre pour la demande {req} : {why}.\n\nInterlocuteurs à contacter dans l'ordre \
             présenté :\n- pour la Caf :\n{caf}- pour le partenaire :\n{ours}",
            req = named(summary, partner),
            why = reason.in_french(),
            caf = list(caf_contacts),
            ours = list(partner_contacts),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn opening_hours_read_in_paris_time() {
        let t = ServiceCentreTerms::default();
        // Thursday 3 December 2026: Paris is UTC+1.
        for (at, open) in [
            ("2026-12-03 07:59", false),
            ("2026-12-03 08:00", true),
            ("2026-12-03 14:59", true),
            ("2026-12-03 15:00", false),
            ("2026-12-05 10:00", false), // Saturday
            ("2026-07-01 07:30", true),  // summer: 9 h 30 in Paris
        ] {
            assert_eq!(t.is_open(utc(at)), open, "{at}");
        }
        assert_eq!(
            t.next_opening(utc("2026-12-04 16:00")),
            utc("2026-12-07 08:00")
        );
        assert_eq!(
            t.next_opening(utc("2026-12-03 10:00")),
            utc("2026-12-03 10:00")
        );
        assert_eq!(t.hours_in_french(), "du lundi au vendredi de 9 h à 16 h");
        let odd = ServiceCentreTerms {
            opening_days: vec![Day::Wednesday, Day::Monday],
            opens_at: NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
            ..t.clone()
        }
        .check("s")
        .unwrap();
        assert_eq!(
            odd.hours_in_french(),
            "le lundi et le mercredi de 8 h 30 à 16 h"
        );
    }

    #[test]
    fn terms_no_one_could_use_are_refused() {
        let ok = ServiceCentreTerms::default();
        assert!(ok.clone().check("s").is_ok());
        let no_delay = ServiceCentreTerms {
            escalation_delay_days: None,
            ..ok.clone()
        };
        assert_eq!(no_delay.escalation_due_at(utc("2026-12-01 10:00")), None);
        for bad in [
            ServiceCentreTerms {
                opening_days: vec![],
                ..ok.clone()
            },
            ServiceCentreTerms {
                closes_at: ok.opens_at,
                ..ok.clone()
            },
            ServiceCentreTerms {
                escalation_delay_days: Some(0),
                ..ok.clone()
            },
            ServiceCentreTerms {
                escalation_delay_days: Some(91),
                ..ok.clone()
            },
        ] {
            assert!(bad.check("s").is_err());
        }
    }

    #[test]
    fn the_oldest_unanswered_message_sets_the_delay_for_either_side() {
        let t0 = utc("2026-12-01 10:00");
        let t1 = utc("2026-12-02 10:00");
        let terms = ServiceCentreTerms::default();
        let s = State::filed(t0);
        assert_eq!(
            escalation_due_at(&terms, s.waiting),
            Some(utc("2026-12-11 10:00"))
        );
        // The partner's reminder does not restart the centre's delay.
        let s = s.after(Step::Message, Party::Partner, false, t1).unwrap();
        assert_eq!(s.waiting.unwrap().since, t0);
        // Taking is no answer.
        let s = s.after(Step::Taken, Party::Caf, false, t1).unwrap();
        assert_eq!(
            (s.status, s.waiting.unwrap().on),
            (Status::Taken, Party::Caf)
        );
        // The centre asks: now the partner is to answer, from then.
        let s = s.after(Step::Message, Party::Caf, true, t1).unwrap();
        assert_eq!(
            s.waiting,
            Some(Waiting {
                on: Party::Partner,
                since: t1
            })
        );
        // An answer asking nothing leaves no one waiting.
        let s = s.after(Step::Message, Party::Caf, false, t1).unwrap();
        assert_eq!(s.waiting, None);
    }

    #[test]
    fn steps_follow_the_request_until_closed() {
        use Status::*;
        let now = utc("2026-12-01 10:00");
        let at = |status, taken| State {
            status,
            taken,
            waiting: None,
        };
        // (from, step, side, expected status or None when refused)
        let cases = [
            (at(Open, false), Step::Taken, Party::Caf, Some(Taken)),
            (at(Open, false), Step::Taken, Party::Partner, None),
            (at(Taken, true), Step::Routed, Party::Caf, Some(Routed)),
            (at(Routed, true), Step::Taken, Party::Caf, Some(Taken)),
            (at(Routed, true), Step::Resolved, Party::Caf, Some(Resolved)),
            (at(Resolved, true), Step::Resolved, Party::Caf, None),
            (at(Resolved, true), Step::Routed, Party::Caf, None),
            (
                at(Resolved, true),
                Step::Message,
                Party::Partner,
                Some(Taken),
            ),
            (
                at(Resolved, false),
                Step::Message,
                Party::Partner,
                Some(Open),
            ),
            (at(Resolved, true), Step::Closed, Party::Caf, Some(Closed)),
            (at(Open, false), Step::Closed, Party::Partner, None),
            (at(Closed, true), Step::Message, Party::Partner, None),
            (at(Closed, true), Step::Message, Party::Caf, None),
        ];
        for (i, (from, step, side, expected)) in cases.into_iter().enumerate() {
            assert_eq!(
                from.after(step, side, false, now).ok().map(|s| s.status),
                expected,
                "case {i}"
            );
        }
        let closed = at(Closed, true).after(Step::Message, Party::Partner, false, now);
        assert_eq!(
            closed.unwrap_err().code(),
            ErrorCode::SupportRequestClosed.as_str()
        );
        // Each language names the status in its own words.
        let resolved = at(Resolved, true)
            .after(Step::Routed, Party::Caf, false, now)
            .unwrap_err()
            .message();
        assert!(
            resolved.fr().starts_with("la demande est résolue : "),
            "{}",
            resolved.fr()
        );
        assert!(
            resolved.en().starts_with("the request is resolved: "),
            "{}",
            resolved.en()
        );
    }

    #[test]
    fn a_request_gives_what_the_contract_asks() {
        let known = vec!["CDAP".to_string(), "AFAS".to_string()];
        let mine = AccountId::from(uuid::Uuid::from_u128(1));
        let theirs = AccountId::from(uuid::Uuid::from_u128(2));
        let services = vec!["CDAP".to_string()];
        let ok = FilingInput {
            summary: "Accès CDAP impossible",
            description: "Depuis ce matin, Mme Martin ne peut plus consulter.",
            services: &services,
            motive: "access_problem",
            user_concerned: Some(mine),
            callback: (
                "Sandrine Coffi",
                "01 64 13 55 76",
                Some("s.coffi@ville-lieusaint.fr"),
            ),
        };
        let f = Filing::check(&ok, &known, &[mine]).unwrap();
        assert_eq!(f.motive, Motive::AccessProblem);
        let twice = vec!["CDAP".to_string(), "CDAP".to_string(), "X".to_string()];
        let bad = FilingInput {
            summary: " ",
            services: &twice,
            motive: "panne",
            user_concerned: Some(theirs),
            callback: ("Sandrine Coffi", "pas de numéro", None),
            ..ok.clone()
        };
        let codes = crate::error::field_codes(Filing::check(&bad, &known, &[mine]));
        let fields: Vec<&str> = codes.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "summary",
                "services[1]",
                "services[2]",
                "motive",
                "user_concerned_id",
                "callback.phone"
            ]
        );
        let none: Vec<String> = vec![];
        let empty = FilingInput {
            services: &none,
            ..ok.clone()
        };
        assert!(Filing::check(&empty, &known, &[mine]).is_err());
    }

    #[test]
    fn only_the_support_structures_act() {
        use crate::ids::{AccountId, CafId, PartnerId};
        let a = AccountId::from(uuid::Uuid::nil());
        let caf = CafId::from(uuid::Uuid::nil());
        let partner = PartnerId::from(uuid::Uuid::nil());
        assert_eq!(
            side_of(&Principal::partner_administrator(a, caf, partner)).unwrap(),
            (Party::Partner, Function::FileSupportRequests)
        );
        assert_eq!(
            side_of(&Principal::service_centre_agent(a, caf)).unwrap(),
            (Party::Caf, Function::AnswerSupportRequests)
        );
        assert!(side_of(&Principal::auditor(a, Some(caf))).is_err());
        assert!(side_of(&Principal::cnaf_operator(a)).is_err());
    }

    #[test]
    fn escalation_names_the_ranked_contacts_or_the_administrators() {
        let c = |side, role, name: &str, rank| Contact {
            side,
            role,
            name: name.into(),
            email: None,
            phone: Some("01 64 83 74 63".into()),
            escalation_rank: rank,
        };
        let contacts = vec![
            c(
                Party::Caf,
                ContactRole::PrincipalAdministrator,
                "Karine",
                None,
            ),
            c(Party::Caf, ContactRole::ItManager, "Youssef", Some(2)),
            c(Party::Caf, ContactRole::ItManager, "Nadine", Some(1)),
            c(Party::Partner, ContactRole::SecurityOfficer, "Rénald", None),
            c(
                Party::Partner,
                ContactRole::PrincipalAdministrator,
                "Véronique",
                None,
            ),
            c(
                Party::Partner,
                ContactRole::DeputyAdministrator,
                "Sandrine",
                None,
            ),
        ];
        let names = |side| -> Vec<String> {
            escalation_contacts(&contacts, side)
                .into_iter()
                .map(|c| c.name)
                .collect()
        };
        assert_eq!(names(Party::Caf), ["Nadine", "Youssef"]);
        let centre_only = [c(Party::Caf, ContactRole::ServiceCentre, "Guichet", None)];
        assert_eq!(
            escalation_contacts(&centre_only, Party::Caf)[0].name,
            "Guichet"
        );
        assert_eq!(names(Party::Partner), ["Véronique", "Sandrine"]);
        let (_, body) = escalation_message(
            "Ville de Lieusaint",
            "Accès CDAP impossible",
            EscalationReason::Unanswered(Party::Caf),
            &escalation_contacts(&contacts, Party::Caf),
            &[],
        );
        assert!(body.contains("Nadine (01 64 83 74 63)"), "{body}");
        assert!(body.contains("aucun interlocuteur"), "{body}");
    }
}
