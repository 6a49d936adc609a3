//! The partner answers a question of the Caf (its administrators, or a manager of that profile).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::habilitation_questions;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::{authorize, authorize_profile, Function};
use mcp_domain::habilitation::check_reason;
use mcp_domain::ids::QuestionId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;

use super::*;

/// The partner answers a question of the Caf (its administrators, or a manager of that profile).
pub fn answer(db: &Database, ctx: &Ctx, question_id: QuestionId, answer: &str) -> Result<Question> {
    let answer = check_reason("answer", answer)?;
    db.write(|conn| {
        let q: Question = habilitation_questions::table
            .find(question_id.to_string())
            .select(Question::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        let h = load(conn, q.habilitation_id.get().uuid().into())?;
        authorize(
            ctx.principal(),
            Function::ManageHabilitations,
            reach_of(&h)?,
        )?;
        authorize_profile(ctx.principal(), h.profile_id.get())?;
        if q.answered_at.is_some() {
            return Err(DomainError::conflict(
                ErrorCode::QuestionAnswered,
                mcp_domain::msg!(
                    "cette question a déjà reçu une réponse",
                    "this question was already answered"
                ),
            )
            .into());
        }
        diesel::update(habilitation_questions::table.find(&q.id))
            .set((
                habilitation_questions::answer.eq(&answer),
                habilitation_questions::answered_by.eq(ctx.principal().account_id.to_string()),
                habilitation_questions::answered_at.eq(ctx.now),
            ))
            .execute(conn)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(h.partner_id.get()),
                action: TraceAction::HabilitationQuestionAnswered,
                target_type: TargetType::Habilitation,
                target_id: Some(h.id.get().uuid()),
                caf_id: Some(h.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({ "question_id": q.id, "answer": answer }),
            },
        )?;
        Ok(Question {
            answer: Some(answer.clone()),
            answered_by: Some(Id(ctx.principal().account_id)),
            answered_at: Some(ctx.now),
            ..q
        })
    })
}
