//! The annual review of a partner for `year` (the Caf's administrators, the partner's, the Cnaf),
//! from durable records only.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::{
    caf_suspensions, consultation_counts, convention_missions, habilitation_questions,
    habilitations, profiles,
};
use crate::use_cases::habilitations::{self as habs, Habilitation, Question};
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::{MissionId, PartnerId, ProfileId};
use mcp_domain::review::{held_during, month_keys_of, year_range};

use super::*;

/// The annual review of a partner for `year` (the Caf's administrators, the partner's, the
/// Cnaf), from durable records only: consultation counts, habilitations, the Caf's questions and
/// suspensions, and the year's campaign — never from traces, kept six months only.
pub fn annual_review(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    year: i32,
) -> Result<AnnualReview> {
    let today = ctx.today();
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadReviews,
        |conn, partner| {
            let quotas = habs::quota_lines(conn, &partner, today)?;
            let (first, last) = month_keys_of(year);
            let counted: Vec<(Id<ProfileId>, Id<MissionId>, String, i64)> =
                consultation_counts::table
                    .filter(consultation_counts::partner_id.eq(&partner.id))
                    .filter(consultation_counts::month.between(first, last))
                    .order((
                        consultation_counts::profile_id.asc(),
                        consultation_counts::mission_id.asc(),
                        consultation_counts::month.asc(),
                    ))
                    .select((
                        consultation_counts::profile_id,
                        consultation_counts::mission_id,
                        consultation_counts::month,
                        consultation_counts::consultations,
                    ))
                    .load(conn)?;
            let mut consultations: Vec<ProfileConsultations> = vec![];
            for (profile_id, mission_id, month, n) in counted {
                if consultations
                    .last()
                    .is_none_or(|p| p.profile_id != profile_id)
                {
                    let profile_code: String = profiles::table
                        .find(&profile_id)
                        .select(profiles::code)
                        .first(conn)?;
                    consultations.push(ProfileConsultations {
                        profile_id,
                        profile_code,
                        consultations: 0,
                        missions: vec![],
                    });
                }
                let p = consultations.last_mut().expect("pushed");
                if p.missions.last().is_none_or(|m| m.mission_id != mission_id) {
                    let mission_label: String = convention_missions::table
                        .find(&mission_id)
                        .select(convention_missions::label)
                        .first(conn)?;
                    p.missions.push(MissionConsultations {
                        mission_id,
                        mission_label,
                        consultations: 0,
                        by_month: vec![],
                    });
                }
                let m = p.missions.last_mut().expect("pushed");
                m.consultations += n;
                m.by_month.push((month, n));
                p.consultations += n;
            }
            consultations.sort_by(|a, b| a.profile_code.cmp(&b.profile_code));
            let (start, end) = year_range(year);
            let recorded = habs::use_recorded_profiles(conn)?;
            let candidates: Vec<Habilitation> = habilitations::table
                .filter(habilitations::partner_id.eq(&partner.id))
                .filter(habilitations::last_used_at.is_null())
                .filter(habilitations::granted_at.lt(end))
                .order(habilitations::id.asc())
                .select(Habilitation::as_select())
                .load(conn)?;
            let mut never_used = vec![];
            for h in candidates {
                if recorded.contains(&h.profile_id)
                    && held_during(h.granted_at, h.devalidated_at, year)
                {
                    never_used.push(habs::view(conn, h)?);
                }
            }
            let questions: Vec<Question> = habilitation_questions::table
                .filter(habilitation_questions::partner_id.eq(&partner.id))
                .filter(habilitation_questions::asked_at.ge(start))
                .filter(habilitation_questions::asked_at.lt(end))
                .order(habilitation_questions::id.asc())
                .select(Question::as_select())
                .load(conn)?;
            let suspensions: Vec<CafSuspension> = caf_suspensions::table
                .filter(caf_suspensions::partner_id.eq(&partner.id))
                .filter(caf_suspensions::suspended_at.ge(start))
                .filter(caf_suspensions::suspended_at.lt(end))
                .order(caf_suspensions::suspended_at.asc())
                .select(CafSuspension::as_select())
                .load(conn)?;
            let campaign = match campaign_of(conn, partner.id, year)? {
                Some(c) => Some(view(conn, c, today)?),
                None => None,
            };
            Ok(AnnualReview {
                partner,
                year,
                quotas,
                consultations,
                never_used,
                questions,
                caf_suspensions: suspensions,
                campaign,
            })
        },
    )
}
