//! The Caf asks a partner why a habilitation was given (S-art.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::habilitation_questions;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function};
use mcp_domain::habilitation::check_reason;
use mcp_domain::ids::HabilitationId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

use super::*;

/// The Caf asks a partner why a habilitation was given (S-art. 2.2.1); both are kept.
pub fn ask(
    db: &Database,
    ctx: &Ctx,
    habilitation_id: HabilitationId,
    question: &str,
) -> Result<Question> {
    let question = check_reason("question", question)?;
    db.write(|conn| {
        let h = load(conn, habilitation_id)?;
        authorize(
            ctx.principal(),
            Function::SuperviseHabilitations,
            reach_of(&h)?,
        )?;
        let q = Question {
            id: Id::new(),
            habilitation_id: h.id,
            caf_id: h.caf_id,
            partner_id: h.partner_id,
            question: question.clone(),
            asked_by: Id(ctx.principal().account_id),
            asked_at: ctx.now,
            answer: None,
            answered_by: None,
            answered_at: None,
        };
        diesel::insert_into(habilitation_questions::table)
            .values((
                habilitation_questions::id.eq(&q.id),
                habilitation_questions::habilitation_id.eq(&q.habilitation_id),
                habilitation_questions::caf_id.eq(&q.caf_id),
                habilitation_questions::partner_id.eq(&q.partner_id),
                habilitation_questions::question.eq(&q.question),
                habilitation_questions::asked_by.eq(&q.asked_by),
                habilitation_questions::asked_at.eq(q.asked_at),
            ))
            .execute(conn)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(h.partner_id.get()),
                action: TraceAction::HabilitationQuestionAsked,
                target_type: TargetType::Habilitation,
                target_id: Some(habilitation_id.into()),
                caf_id: Some(h.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({ "question_id": q.id, "question": q.question }),
            },
        )?;
        Ok(q)
    })
}
